// Instruction-level rules and the rules that read several commands at once.
#include <gtest/gtest.h>

#include "builtin_test_support.hpp"

using namespace dockmend;
using test::fix_with;
using test::run_rules;

TEST(BuiltinExecForm, OnlyWithoutShellSyntax) {
  EXPECT_EQ(fix_with("exec-form", "FROM d\nCMD node server.js --port=80\n"),
            "FROM d\nCMD [\"node\", \"server.js\", \"--port=80\"]\n");
  for (const std::string cmd : {"CMD echo $HOME", "CMD a && b", "CMD a | b", "CMD a > log", "CMD a *.txt",
                                "CMD 'a b'", "CMD A=1 run", "CMD cd /x", "CMD a; b", "CMD ~/bin/x", "CMD [\"a\"]"})
    EXPECT_EQ(fix_with("exec-form", "FROM d\n" + cmd + "\n"), "FROM d\n" + cmd + "\n") << cmd;
  // Under a custom SHELL the exec form would skip it: report only.
  const auto r = run_rules("FROM d\nSHELL [\"/bin/bash\", \"-c\"]\nCMD run\n", {"exec-form"});
  EXPECT_EQ(r.count("exec-form"), 1u);
  EXPECT_FALSE(r.has_fix("exec-form"));
}

TEST(BuiltinAddToCopy, LocalOnly) {
  EXPECT_EQ(fix_with("add-to-copy", "FROM d\nAdd src/ /app/\n"), "FROM d\nCopy src/ /app/\n");
  for (const std::string add : {"ADD https://x/y /y", "ADD a.tar.gz /", "ADD a.TGZ /", "ADD git@github.com:a/b /b",
                                "ADD --keep-git-dir https://x/y.git /y"})
    EXPECT_EQ(run_rules("FROM d\n" + add + "\n", {"add-to-copy"}).count("add-to-copy"), 0u) << add;
  // A glob or a variable that may be an archive or a URL: reported, not rewritten.
  for (const std::string add : {"ADD dist/* /opt/", "ADD $X /x"}) {
    const auto r = run_rules("FROM d\n" + add + "\n", {"add-to-copy"});
    EXPECT_EQ(r.count("add-to-copy"), 1u) << add;
    EXPECT_FALSE(r.has_fix("add-to-copy")) << add;
  }
}

TEST(BuiltinLegacyKeyValue, QuotesOnlyWhatIsSafe) {
  EXPECT_EQ(fix_with("legacy-key-value", "FROM d\nENV A b c\n"), "FROM d\nENV A=\"b c\"\n");
  EXPECT_EQ(fix_with("legacy-key-value", "FROM d\nENV A\t\"x\"\n"), "FROM d\nENV A=\"x\"\n");
  EXPECT_EQ(fix_with("legacy-key-value", "FROM d\nENV A \\\n  b\n"), "FROM d\nENV A \\\n  b\n");  // across lines: report
  EXPECT_EQ(fix_with("legacy-key-value", "FROM d\nENV A 'x' y\n"), "FROM d\nENV A 'x' y\n");
}

TEST(BuiltinStageNames, ReferencesFollow) {
  EXPECT_EQ(fix_with("stage-name-casing", "FROM a AS Build\nFROM b\nCOPY --from=Build /x /x\nCOPY --from=BUILD /y /y\n"),
            "FROM a AS build\nFROM b\nCOPY --from=build /x /x\nCOPY --from=build /y /y\n");
}

TEST(BuiltinPipefail, ShellPerStageAndSigpipe) {
  // The Debian stage is neither shipped nor built on: its SHELL is safe. The
  // shipped Alpine stage gets pipefail in the RUN itself (busybox ash has it).
  const std::string two = "FROM debian\nRUN a | b\nRUN c | d\nFROM alpine\nRUN e | f\n";
  EXPECT_EQ(run_rules(two, {"pipefail"}).fixed,
            "FROM debian\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN a | b\nRUN c | d\nFROM alpine\n"
            "RUN set -o pipefail && e | f\n");
  EXPECT_EQ(fix_with("pipefail", "FROM debian\nRUN a | head -1\n"), "FROM debian\nRUN a | head -1\n");
  EXPECT_EQ(fix_with("pipefail", "FROM scratch\nRUN a | b\n"), "FROM scratch\nRUN a | b\n");  // no known shell
  EXPECT_EQ(run_rules("FROM debian\nRUN set -euxo pipefail; a | b\n", {"pipefail"}).count("pipefail"), 0u);
}

TEST(BuiltinPipefail, ShippedStageGetsALocalRemedyOrAnUnsafeShell) {
  // Debian's /bin/sh is dash, without pipefail (dash gained it upstream in 2024,
  // kernel.googlesource.com/pub/scm/utils/dash "jobs: Implement pipefail option",
  // after bookworm): a SHELL stored in the shipped image is the only fix, unsafe.
  const std::string deb = "FROM debian\nRUN curl -fsSL https://x/y | tar x\nCMD [\"y\"]\n";
  const auto r = run_rules(deb, {"pipefail"});
  ASSERT_EQ(r.count("pipefail"), 1u);
  EXPECT_TRUE(r.has_fix("pipefail"));
  EXPECT_EQ(r.findings[0].safety, transforms::FixSafety::Unsafe);
  EXPECT_EQ(r.fixed, deb);
  // Under a bash SHELL, `set -eux` gains -o pipefail in that RUN; SHELL itself stays.
  EXPECT_EQ(run_rules("FROM debian\nSHELL [\"/bin/bash\", \"-c\"]\nRUN set -eux; a | b\n", {"pipefail"}).fixed,
            "FROM debian\nSHELL [\"/bin/bash\", \"-c\"]\nRUN set -eux -o pipefail; a | b\n");
  // RHEL's /bin/sh is bash.
  EXPECT_EQ(run_rules("FROM fedora:40\nRUN a | b\n", {"pipefail"}).fixed, "FROM fedora:40\nRUN set -o pipefail && a | b\n");
  // A stage another builds FROM passes its SHELL on: not the safe place either.
  const std::string base = "FROM debian AS base\nRUN a | b\nFROM base AS build\nRUN make\nFROM alpine\nCOPY --from=build /x /x\n";
  const auto b = run_rules(base, {"pipefail"});
  ASSERT_EQ(b.count("pipefail"), 1u);
  EXPECT_EQ(b.findings[0].safety, transforms::FixSafety::Unsafe);
  EXPECT_EQ(b.fixed, base);
}

TEST(BuiltinPipefail, NoFindingWhenThePipeCannotFail) {
  // The writer is echo or printf: only the reader's status matters.
  for (const std::string run : {"RUN echo \"$SUM  x.tgz\" | sha256sum -c -", "RUN printf '%s\\n' a b | xargs -n1 make",
                                "RUN yes | ./configure"})
    EXPECT_EQ(run_rules("FROM debian\n" + run + "\n", {"pipefail"}).count("pipefail"), 0u) << run;
  EXPECT_EQ(run_rules("FROM debian\nRUN cat x | sha256sum -c -\n", {"pipefail"}).count("pipefail"), 1u);
  // A pipeline inside a command substitution that is an argument: its status is dropped anyway.
  EXPECT_EQ(run_rules("FROM debian\nRUN pip install --index-url https://x/cu$(echo $V | cut -d. -f1 | tr -d .) a\n",
                      {"pipefail"}).count("pipefail"), 0u);
  EXPECT_EQ(run_rules("FROM debian\nRUN v=$(curl -fsSL https://x | jq -r .v) && make\n", {"pipefail"}).count("pipefail"), 0u);
}

TEST(BuiltinNonRoot, QuietWhenThePolicyOwnsTheUser) {
  policy::Policy p = test::default_policy();
  p.defaults.user = policy::User{};
  EXPECT_EQ(run_rules("FROM debian\nCMD [\"x\"]\n", {"non-root-user"}, p).count("non-root-user"), 0u);
  EXPECT_EQ(run_rules("FROM debian\nCMD [\"x\"]\n", {"non-root-user"}).count("non-root-user"), 1u);
}

TEST(BuiltinNonRoot, ReportOnlyWhenRootMayBeNeeded) {
  for (const std::string src : {"FROM debian\nEXPOSE 443\nCMD [\"x\"]\n", "FROM debian\nUSER root\nCMD [\"x\"]\n",
                                "FROM debian\nCOPY app /app\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n",
                                "FROM myorg/custom\nCMD [\"x\"]\n"}) {
    const auto r = run_rules(src, {"non-root-user"}, test::default_policy(), "Dockerfile", true);
    EXPECT_EQ(r.count("non-root-user"), 1u) << src;
    EXPECT_EQ(r.fixed, src);
  }
  EXPECT_EQ(run_rules("FROM gcr.io/distroless/static:nonroot\nCMD [\"x\"]\n", {"non-root-user"}).count("non-root-user"), 0u);
  // A privilege-dropping tool or supervisor anywhere in the file (first or
  // last bytes, a comment): the program does not run as root, no finding.
  for (const std::string tool : {"gosu", "su-exec", "setpriv", "runuser", "supervisord", "s6-overlay"}) {
    for (const std::string& src : {"FROM debian\nCOPY x /\nCMD [\"" + tool + "\"]",
                                  "# " + tool + "\nFROM debian\nCOPY x /\nCMD [\"python\", \"x\"]\n",
                                  "FROM debian\nCOPY x /\nCMD [\"python\", \"x\"]\n#" + tool}) {
      const auto r = run_rules(src, {"non-root-user"}, test::default_policy(), "Dockerfile", true);
      EXPECT_EQ(r.count("non-root-user"), 0u) << src;
      EXPECT_EQ(r.fixed, src) << src;
    }
  }
  // Near misses do not: the plain case is fixed (with --unsafe-fixes; never by default).
  const std::string near = "FROM debian\nCOPY x /\n# gos u, su exec, set-priv, s6overlay, superv\nCMD [\"python\", \"x\"]\n";
  EXPECT_NE(run_rules(near, {"non-root-user"}, test::default_policy(), "Dockerfile", true).fixed, near);
  EXPECT_EQ(run_rules(near, {"non-root-user"}).fixed, near);
}

TEST(BuiltinDownloads, TarMktempChecksumCurl) {
  EXPECT_EQ(fix_with("tar-rm-archive", "FROM d\nRUN wget -O /tmp/a.tgz https://x/a.tgz && tar -xzf /tmp/a.tgz -C /opt && echo ok\n"),
            "FROM d\nRUN wget -O /tmp/a.tgz https://x/a.tgz && tar -xzf /tmp/a.tgz -C /opt && rm -f /tmp/a.tgz && echo ok\n");
  // Not downloaded here (maybe COPYed, maybe needed later): nothing.
  EXPECT_EQ(run_rules("FROM d\nCOPY a.tgz /\nRUN tar xzf /a.tgz\n", {"tar-rm-archive"}).count("tar-rm-archive"), 0u);
  EXPECT_EQ(fix_with("mktemp-cleanup", "FROM d\nRUN d=$(mktemp -d) && cd \"$d\" && make\n"),
            "FROM d\nRUN d=$(mktemp -d) && cd \"$d\" && make && rm -rf \"$d\"\n");
  EXPECT_EQ(fix_with("checksum-two-spaces", "FROM d\nRUN echo \"$SUM x.tgz\" | sha256sum -c -\n"),
            "FROM d\nRUN echo \"$SUM  x.tgz\" | sha256sum -c -\n");
  EXPECT_EQ(fix_with("curl-fail", "FROM d\nRUN curl -sSL https://x -o y\n"), "FROM d\nRUN curl -fsSL https://x -o y\n");
  // -L joins the end of a flag cluster; without one, each option is its own word.
  EXPECT_EQ(fix_with("curl-location", "FROM d\nRUN curl -fsS https://x -o y\n"), "FROM d\nRUN curl -fsSL https://x -o y\n");
  EXPECT_EQ(fix_with("curl-location", "FROM d\nRUN curl https://x -o y\n"), "FROM d\nRUN curl -L https://x -o y\n");
  EXPECT_EQ(fix_with("curl-fail", "FROM d\nRUN curl https://x -o y\n"), "FROM d\nRUN curl -f https://x -o y\n");
  EXPECT_EQ(fix_with("download-https", "FROM d\nRUN curl -fsSL \"http://GitHub.com/x\" -o y\n"),
            "FROM d\nRUN curl -fsSL \"https://GitHub.com/x\" -o y\n");
  EXPECT_EQ(fix_with("download-https", "FROM d\nRUN curl -fsSL http://intranet/x -o y\n"),
            "FROM d\nRUN curl -fsSL http://intranet/x -o y\n");
}

TEST(BuiltinDownloads, ArchiveInADirectoryRemovedLaterIsRemoved) {
  for (const std::string run :
       {"RUN mkdir /tmp/b && cd /tmp/b && wget https://x/a.tgz && tar xzf a.tgz && cd / && rm -rf /tmp/b/",
        "RUN wget -O /tmp/b/a.tgz https://x/a.tgz && tar xzf /tmp/b/a.tgz -C /opt && rm -rf /tmp/b/",
        "RUN d=\"$(mktemp -d)\" && cd \"$d\" && curl -fsSLO https://x/a.tgz && tar xzf a.tgz && cd / && rm -rf \"$d\"",
        "RUN cd /tmp/b/src && curl -fsSLO https://x/a.tgz && tar xzf a.tgz && rm -rf /tmp/b"})
    EXPECT_EQ(run_rules("FROM d\n" + run + "\n", {"tar-rm-archive"}).count("tar-rm-archive"), 0u) << run;
  EXPECT_EQ(run_rules("FROM d\nRUN cd /tmp/b && wget https://x/a.tgz && tar xzf a.tgz && rm -rf /tmp/c\n",
                      {"tar-rm-archive"}).count("tar-rm-archive"), 1u);
}

TEST(BuiltinWgetProgress, OffByDefaultOnWhenAsked) {
  const std::string src = "FROM debian\nRUN wget https://x/a.tgz\n";
  EXPECT_EQ(run_rules(src).count("wget-progress"), 0u);
  policy::Policy p = test::default_policy();
  p.rules.push_back({"wget-progress", true, {}});
  EXPECT_EQ(run_rules(src, {}, p).count("wget-progress"), 1u);
}

TEST(BuiltinWindows, NoPosixRulesAndNoUserFix) {
  // Windows images: the base through a global ARG, .NET Framework images, a
  // backtick escape (Windows paths) or Chocolatey: RUN is cmd or PowerShell.
  for (const std::string src :
       {"ARG core=mcr.microsoft.com/windows/servercore:ltsc2022\nFROM $core\nRUN curl -o a http://github.com/a | more\nCMD [\"a.exe\"]\n",
        "FROM mcr.microsoft.com/dotnet/framework/sdk:4.8\nRUN nuget restore | more\nCMD [\"a.exe\"]\n",
        "# escape=`\nFROM example/base\nRUN curl http://github.com/a | more\nCMD [\"a.exe\"]\n",
        "FROM example/base\nRUN choco install -y git | more\nCMD [\"git.exe\"]\n"}) {
    const auto r = run_rules(src, {}, test::default_policy(), "Dockerfile", true);
    EXPECT_TRUE(r.findings.empty()) << src << r.findings.front().rule;
    EXPECT_EQ(r.fixed, src);
  }
  // ${name} too, and not a longer name that starts the same.
  EXPECT_EQ(run_rules("ARG b=node:20-windowsservercore\nARG bx=debian\nFROM ${b}\nRUN a | b\nCMD [\"x\"]\n", {"pipefail"}).count("pipefail"), 0u);
  EXPECT_EQ(run_rules("ARG b=node:20-windowsservercore\nARG bx=debian\nFROM $bx\nRUN a | b\nCMD [\"x\"]\n", {"pipefail"}).count("pipefail"), 1u);
}

TEST(BuiltinYarnCache, VersionIsNoInstall) {
  // docker-node's smoke test `yarn --version` fills no cache.
  EXPECT_EQ(run_rules("FROM node\nRUN yarn --version\n", {"yarn-cache-clean"}).count("yarn-cache-clean"), 0u);
  EXPECT_EQ(run_rules("FROM node\nRUN yarn\n", {"yarn-cache-clean"}).count("yarn-cache-clean"), 1u);
}
