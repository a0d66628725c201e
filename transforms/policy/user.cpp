// user: the runtime stage runs as the policy's user (name, UID, GID), created
// in the Dockerfile, with USER set after the last step that needs root.
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "edit/builders.hpp"
#include "model/accounts.hpp"
#include "model/instruction_edits.hpp"
#include "model/packages.hpp"
#include "model/text.hpp"
#include "transforms/build_context.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

using model::icontains;
using model::join;
using model::lower;
using model::PackageManager;
using syntax::Span;
using syntax::Tree;

std::optional<long long> number(std::string_view s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  long long v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

bool is_root(std::string_view user) {
  const auto name = user.substr(0, user.find(':'));
  return name == "root" || name == "0";
}

// The operands of a command after its options (the table knows which options take values).
std::vector<std::size_t> operands(const shell::Command& c) {
  std::vector<std::size_t> out;
  const auto inv = shell::invocation(c);
  if (!inv) return out;
  for (std::size_t w = inv->args; w < c.words.size(); ++w) {
    const auto& v = c.words[w].value;
    if (v == "--") continue;
    if (v.size() > 1 && v[0] == '-') {
      if (v.find('=') == std::string::npos && shell::takes_argument(inv->name, v)) ++w;
      else if (v.size() > 2 && v[1] != '-') {
        // A cluster: its last letter may take the next word.
        const std::string last{'-', v.back()};
        if (shell::takes_argument(inv->name, last)) ++w;
      }
      continue;
    }
    out.push_back(w);
  }
  return out;
}

// An edit giving option `m` of command `c` the value `value`.
edit::Edit set_option_value(const Tree& tree, const model::Run& sh, const shell::Command& c,
                            const shell::OptionMatch& m, std::string_view value) {
  if (m.value_word) return {sh.source(tree, c.words[*m.value_word].span), std::string(value)};
  const auto& w = c.words[m.word];
  const std::string raw(sh.slice(w.span));
  const std::string head = raw.substr(0, raw.size() >= m.value.size() ? raw.size() - m.value.size() : 0);
  return {sh.source(tree, w.span), head + std::string(value)};
}

// `owner[:group]` (or owner.group) with every part equal to `from` renamed.
std::string rename_parts(std::string_view spec, std::string_view from, std::string_view to) {
  std::string out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= spec.size(); ++i) {
    if (i == spec.size() || spec[i] == ':' || spec[i] == '.') {
      const auto part = spec.substr(start, i - start);
      out += part == from ? std::string(to) : std::string(part);
      if (i < spec.size()) out += spec[i];
      start = i + 1;
    }
  }
  return out;
}

bool names_part(std::string_view spec, std::string_view name) { return rename_parts(spec, name, "\x01") != spec; }

// The RUN scripts of the runtime stage's chain, in build order (the accounts' CommandAt index them).
using Scripts = std::vector<const model::Run*>;

// Every place the Dockerfile names user or group `from`, renamed to `to`.
void rename_everywhere(const Tree& tree, const model::Model& st, int fin, const Scripts& texts, const std::string& from,
                       const std::string& to, bool home_follows, std::vector<edit::Edit>& edits) {
  for (const auto* shp : texts) {
    const auto& sh = *shp;
    for (const auto& c : sh.script.commands) {
      const auto inv = shell::invocation(c);
      if (!inv) continue;
      const auto name = inv->name;
      auto rename_word = [&](std::size_t w) {
        const auto raw = sh.slice(c.words[w].span);
        if (names_part(c.words[w].value, from)) edits.push_back({sh.source(tree, c.words[w].span), rename_parts(raw, from, to)});
      };
      if (name == "useradd" || name == "adduser" || name == "groupadd" || name == "addgroup" || name == "usermod" ||
          name == "groupmod" || name == "deluser" || name == "delgroup" || name == "passwd") {
        for (auto w : operands(c))
          if (c.words[w].value == from) rename_word(w);
        for (auto opt : {shell::find_option(c, {"-g", "--gid"}), shell::find_option(c, {"-G", "--groups", "--ingroup"})}) {
          if (!opt || opt->value.empty()) continue;
          // -G takes a comma-separated list.
          std::string renamed;
          bool changed = false;
          std::size_t start = 0;
          for (std::size_t i = 0; i <= opt->value.size(); ++i) {
            if (i == opt->value.size() || opt->value[i] == ',') {
              const auto part = opt->value.substr(start, i - start);
              if (part == from) changed = true;
              renamed += part == from ? to : part;
              if (i < opt->value.size()) renamed += ',';
              start = i + 1;
            }
          }
          if (changed) edits.push_back(set_option_value(tree, sh, c, *opt, renamed));
        }
      } else if (name == "chown" || name == "chgrp") {
        const auto ops = operands(c);
        if (!ops.empty()) rename_word(ops[0]);
      } else if (name == "su" || name == "runuser") {
        for (auto w : operands(c))
          if (c.words[w].value == from) rename_word(w);
      }
    }
  }
  // The words of wrappers that take a user (gosu, su-exec) and USER / --chown.
  for (int s : st.chain(fin)) {
    for (auto i : st.instructions(s)) {
      const auto& inst = tree.instructions[i];
      if (inst.is("user") && !inst.values.empty() && names_part(inst.values[0].text, from))
        edits.push_back(edit::replace_value(tree, inst, 0, rename_parts(inst.values[0].text, from, to)));
      for (const auto& f : inst.flags) {
        if (f.name != "chown" || !names_part(f.value, from)) continue;
        edits.push_back(edit::replace_logical(inst, f.logical, "--chown=" + rename_parts(f.value, from, to)));
      }
      if (home_follows) {
        // The home directory useradd derives from the name.
        const std::string home = "/home/" + from;
        const std::string_view lt = inst.logical.text;
        for (auto at = lt.find(home); at != std::string::npos; at = lt.find(home, at + 1)) {
          const auto end = at + home.size();
          if (end < lt.size() && (std::isalnum(static_cast<unsigned char>(lt[end])) || lt[end] == '_' || lt[end] == '-'))
            continue;
          const auto b = static_cast<std::uint32_t>(at + 6);
          edits.push_back(edit::replace_logical(inst, {b, b + static_cast<std::uint32_t>(from.size())}, to));
        }
      }
    }
  }
  // Identical edits (a word seen twice) merge in the EditSet; drop exact duplicates here.
  std::sort(edits.begin(), edits.end(), [](const edit::Edit& a, const edit::Edit& b) {
    return std::tie(a.range.begin, a.range.end, a.text) < std::tie(b.range.begin, b.range.end, b.text);
  });
  edits.erase(std::unique(edits.begin(), edits.end()), edits.end());
}

// `base`: the chain root's base image (any case), which tells which tdnf distribution it is.
std::string create_command(PackageManager pm, std::string_view base, const policy::User& u) {
  const std::string& n = *u.name;
  if (pm == PackageManager::Apk) {
    std::string s;
    if (u.gid) s += fmt::format("addgroup -g {} {} && ", *u.gid, n);
    s += "adduser -D";
    if (u.uid) s += fmt::format(" -u {}", *u.uid);
    if (u.gid) s += fmt::format(" -G {}", n);
    return s + " -s /sbin/nologin " + n;
  }
  std::string s;
  // ubi-minimal has no shadow-utils (useradd, groupadd); its repositories do.
  // Nor has Azure Linux's (and CBL-Mariner's) base/core: dotnet-docker's own
  // azurelinux Dockerfiles install shadow-utils before they create their user.
  // Installing it where it is already there changes nothing.
  if (pm == PackageManager::Microdnf) s += "microdnf install -y shadow-utils && microdnf clean all && ";
  if (pm == PackageManager::Tdnf && (icontains(base, "azurelinux") || icontains(base, "mariner")))
    s += "tdnf install -y shadow-utils && tdnf clean all && ";
  if (u.gid) s += fmt::format("groupadd --gid {} {} && ", *u.gid, n);
  s += "useradd";
  if (u.uid) s += fmt::format(" --uid {}", *u.uid);
  if (u.gid) s += fmt::format(" --gid {}", *u.gid);
  return s + " --create-home --shell /usr/sbin/nologin " + n;
}

std::string ids(const policy::User& u) {
  if (u.uid && u.gid) return fmt::format("{}:{}", *u.uid, *u.gid);
  if (u.uid) return std::to_string(*u.uid);
  return "";
}

std::string describe(const policy::User& u) {
  const std::string i = ids(u);
  if (!u.name) return i;
  return i.empty() ? *u.name : fmt::format("{} ({})", *u.name, i);
}

std::string id_text(const std::optional<std::int64_t>& id) { return id ? std::to_string(*id) : std::string("?"); }

// The command creating group `name` with `gid`, in the dialect of the tool that makes the user.
std::string group_command(const model::UserFact& u, std::string_view name, std::int64_t gid) {
  switch (u.tool) {
    case model::AccountTool::BusyboxAdduser:
      return fmt::format("addgroup -g {}{} {}", gid, u.system ? " -S" : "", name);
    case model::AccountTool::DebianAdduser:
      return fmt::format("addgroup{} --gid {} {}", u.system ? " --system" : "", gid, name);
    default:
      return u.long_options ? fmt::format("groupadd --gid {} {}", gid, name) : fmt::format("groupadd -g {} {}", gid, name);
  }
}

// An option inserted after the program of a user command, spelled the way the tool takes it.
std::string user_option(const model::UserFact& u, std::string_view shortname, std::string_view longname,
                        std::string_view value) {
  switch (u.tool) {
    case model::AccountTool::BusyboxAdduser: return fmt::format(" {} {}", shortname, value);
    case model::AccountTool::DebianAdduser: return fmt::format(" {} {}", longname, value);
    default: return u.long_options ? fmt::format(" {} {}", longname, value) : fmt::format(" {} {}", shortname, value);
  }
}

// The account the image runs as is created in the file: give it the policy's
// name, UID and GID (creating its group first, in the same RUN, when it needs one),
// and make the stage run as it.
void fix_account(const Context& ctx, const model::Model& st, int fin, const Scripts& texts, const model::Accounts& accounts,
                 const model::UserFact& acct, const model::RunAs& run, int ui, bool runs_as_root,
                 const std::string& user_value, int root_in_tail, std::uint32_t user_at, Span at, Outcome& out) {
  const auto& tree = ctx.tree;
  const auto& pu = *ctx.settings.user;
  const std::string ref = pu.ref;
  const std::string wanted = describe(pu);
  const auto style = edit::style_of(tree);
  const auto& sh = *texts[acct.at.script];
  const auto& cmd = sh.script.commands[acct.at.command];
  edit::Fix fix;
  std::vector<std::string> problems;
  std::string no_fix;  // why the fix cannot be written, when it cannot
  std::string name = acct.name;
  // Options inserted after the user command's program, gathered into one insertion.
  std::string inserted_options;
  auto after_program = [&](const model::Run&, const shell::Command&, std::string text) { inserted_options += text; };

  // Name.
  if (pu.name && acct.name != *pu.name) {
    if (accounts.user(*pu.name)) {
      out.findings.push_back(finding(fmt::format("the image runs as {}, and {} is another account", acct.name, *pu.name), at,
                                     acct.name, wanted, ref));
      return;
    }
    problems.push_back(fmt::format("named {}", acct.name));
    rename_everywhere(tree, st, fin, texts, acct.name, *pu.name, !acct.home_given, fix.edits);
    name = *pu.name;
  }

  // UID.
  std::optional<std::int64_t> uid_after = acct.uid;
  if (pu.uid && (!acct.uid || *acct.uid != *pu.uid)) {
    problems.push_back(acct.uid ? fmt::format("UID {}", *acct.uid) : std::string("no fixed UID"));
    if (acct.uid_option) fix.edits.push_back(set_option_value(tree, sh, cmd, *acct.uid_option, std::to_string(*pu.uid)));
    else after_program(sh, cmd, user_option(acct, "-u", "--uid", std::to_string(*pu.uid)));
    uid_after = pu.uid;
  }

  // GID: what the primary group's will be once the UID is fixed.
  if (pu.gid) {
    std::optional<std::int64_t> gid_after = acct.gid;
    if (acct.private_group) {
      // The private group takes the UID as GID when no other group has it.
      const auto* other = uid_after ? accounts.group_with_gid(*uid_after) : nullptr;
      gid_after = uid_after && (!other || (other->implicit && other->name == acct.name)) ? uid_after : std::nullopt;
    }
    if (!acct.gid || *acct.gid != *pu.gid)
      problems.push_back(acct.gid ? fmt::format("GID {}", *acct.gid) : std::string("no fixed GID"));
    if (!gid_after || *gid_after != *pu.gid) {
      const std::string gid = std::to_string(*pu.gid);
      const model::GroupFact* named = acct.group.empty() ? nullptr : accounts.group(acct.group);
      if (named && named->implicit) named = nullptr;
      const model::GroupFact* has_gid = accounts.group_with_gid(*pu.gid);
      // Creating the group in the same RUN, right before the user: the build then has it.
      auto create_group = [&](const std::string& group_name) {
        if (cmd.depth > 0) {
          no_fix = "the account is created inside a condition or loop";
          return;
        }
        fix.edits.push_back({sh.source(tree, {cmd.span.begin, cmd.span.begin}), group_command(acct, group_name, *pu.gid) + " && "});
      };
      if (acct.group_option && model::parse_id(acct.group_option->value)) {
        // A numeric primary group: the group with that GID must exist first.
        fix.edits.push_back(set_option_value(tree, sh, cmd, *acct.group_option, gid));
        if (!has_gid) create_group(name);
      } else if (named) {
        // A group the file creates: give it the GID.
        const auto& gsh = *texts[named->at.script];
        const auto& gcmd = gsh.script.commands[named->at.command];
        if (named->gid_option) {
          fix.edits.push_back(set_option_value(tree, gsh, gcmd, *named->gid_option, gid));
        } else if (auto p = shell::insertion_point(gcmd, shell::InsertAt::AfterProgram)) {
          const bool short_form = named->tool == model::AccountTool::BusyboxAddgroup ||
                                  (named->tool == model::AccountTool::Groupadd && !acct.long_options);
          fix.edits.push_back({gsh.source(tree, {*p, *p}), short_form ? " -g " + gid : " --gid " + gid});
        }
      } else if (acct.group_option) {
        // A group of the base image (users, nogroup): the user gets a group of its own.
        if (accounts.group(name)) no_fix = fmt::format("a group named {} exists already", name);
        else {
          create_group(name);
          fix.edits.push_back(set_option_value(tree, sh, cmd, *acct.group_option, name));
        }
      } else if (shell::has_option(cmd, {"-U", "--user-group"})) {
        no_fix = "useradd -U makes its own group: give the GID by hand";
      } else {
        // A private group whose GID cannot follow the UID, nogroup, or useradd -N.
        if (const auto* g = accounts.group(name); g && !g->implicit) {
          no_fix = fmt::format("a group named {} exists already", name);
        } else {
          create_group(name);
          if (acct.tool == model::AccountTool::DebianAdduser) {
            // --group (a group with the user's ID) gives way to --ingroup.
            bool replaced = false;
            if (auto g = shell::find_option(cmd, {"--group"})) {
              fix.edits.push_back({sh.source(tree, cmd.words[g->word].span), "--ingroup " + name});
              replaced = true;
            }
            if (!replaced) after_program(sh, cmd, " --ingroup " + name);
          } else {
            after_program(sh, cmd, user_option(acct, acct.tool == model::AccountTool::BusyboxAdduser ? "-G" : "-g", "--gid", name));
          }
        }
      }
    }
  }
  if (!inserted_options.empty()) {
    if (auto p = shell::insertion_point(cmd, shell::InsertAt::AfterProgram))
      fix.edits.push_back({sh.source(tree, {*p, *p}), inserted_options});
    else
      no_fix = "the account command cannot be edited";
  }
  const std::string current = fmt::format("{} ({}:{})", acct.name, id_text(acct.uid), id_text(acct.gid));

  // USER.
  if (runs_as_root) {
    problems.push_back(user_value.empty() ? "no USER: runs as root" : "USER root");
    if (root_in_tail >= 0) {
      fix.edits.push_back(edit::replace_value(tree, tree.instructions[static_cast<std::uint32_t>(root_in_tail)], 0, name));
    } else {
      fix.edits.push_back(model::insert_at(st, fin, user_at, {edit::keyword(style, "user") + " " + name}));
    }
  } else if (run.numeric && pu.name && ui >= 0) {
    // USER 1000 (or 1000:0) names the account by number: name it, so that its group follows.
    const auto& in = tree.instructions[static_cast<std::uint32_t>(ui)];
    const std::string v = in.values.empty() ? std::string() : std::string(in.values[0].text);
    if (v.find_first_of(" \t\"'\\`$") == std::string::npos) {
      problems.push_back(fmt::format("USER {}", v));
      fix.edits.push_back(edit::replace_value(tree, in, 0, name));
    }
  }
  if (problems.empty()) {
    out.correct.push_back(fmt::format("runs as {} ({}:{})", name, id_text(acct.uid), id_text(acct.gid)));
    return;
  }
  auto f = finding(fmt::format("the runtime user is not {}: {}", wanted, join(problems, ", ")), at,
                   runs_as_root ? fmt::format("{}; {} created", user_value.empty() ? "root (no USER)" : "root", current) : current,
                   wanted, ref);
  if (!no_fix.empty()) f.message += " (" + no_fix + ": fix by hand)";
  else if (!fix.edits.empty()) {
    fix.reason = fmt::format("the runtime stage runs as {}", wanted);
    std::sort(fix.edits.begin(), fix.edits.end(), [](const edit::Edit& a, const edit::Edit& b) {
      return std::tie(a.range.begin, a.range.end, a.text) < std::tie(b.range.begin, b.range.end, b.text);
    });
    fix.edits.erase(std::unique(fix.edits.begin(), fix.edits.end()), fix.edits.end());
    f.fix = std::move(fix);
  }
  out.findings.push_back(std::move(f));
}

void check(const Context& ctx, Outcome& out) {
  const auto& pu = ctx.settings.user;
  if (!policy_rule_applies(pu && (pu->name || pu->uid), ctx, out)) return;
  const model::Model& st = ctx.model;
  const auto& tree = ctx.tree;
  const auto style = edit::style_of(tree);
  const int fin = st.shipped();
  const auto& stage = st.stages()[static_cast<std::size_t>(fin)];
  const std::string ref = pu->ref;
  const std::string wanted = describe(*pu);
  const auto chain = st.chain_instructions(fin);
  const Scripts texts = st.parsed_runs(chain);

  // The USER the image ends with.
  const int ui = st.last_in_chain(fin, "user");
  std::string user_value;
  if (ui >= 0 && !tree.instructions[static_cast<std::uint32_t>(ui)].values.empty()) {
    user_value = tree.instructions[static_cast<std::uint32_t>(ui)].values[0].text;
    if (user_value.find('$') != std::string::npos) {
      auto x = model::expand(user_value, st.state_before(static_cast<std::uint32_t>(ui)).vars);
      if (!x) {
        out.findings.push_back(finding("USER is set through a variable dockmend cannot resolve",
                                       tree.instructions[static_cast<std::uint32_t>(ui)].keyword_span, user_value, wanted, ref));
        return;
      }
      user_value = *x;
    }
  }
  const bool runs_as_root = user_value.empty() || is_root(user_value);
  const std::string user_name = user_value.substr(0, user_value.find(':'));

  // The accounts the chain creates, with the IDs their tools give (src/model/accounts.hpp).
  bool pm_guessed = false;
  const PackageManager pm = model::installing_manager(st, fin, &pm_guessed);
  std::vector<const shell::Script*> scripts;
  for (const auto* t : texts) scripts.push_back(&t->script);
  const model::Accounts accounts = model::read_accounts(
      scripts, pm == PackageManager::Apk   ? model::AdduserFlavor::Busybox
               : pm == PackageManager::Apt ? model::AdduserFlavor::Debian
                                           : model::AdduserFlavor::Unknown);
  const model::RunAs run = accounts.run_as(runs_as_root ? std::string_view() : std::string_view(user_value));

  // Whether files are given to `name` (COPY/ADD --chown, chown, chgrp): the
  // account the application's files belong to.
  auto given_files = [&](std::string_view name) {
    for (auto i : chain)
      for (const auto& fl : tree.instructions[i].flags)
        if (fl.name == "chown" && names_part(fl.value, name)) return true;
    for (const auto* sh : texts)
      for (const auto& c : sh->script.commands)
        if (auto inv = shell::invocation(c); inv && (inv->name == "chown" || inv->name == "chgrp")) {
          const auto ops = operands(c);
          if (!ops.empty() && names_part(c.words[ops[0]].value, name)) return true;
        }
    return false;
  };
  // The account the image runs as, when the Dockerfile creates it; running as
  // root, the one meant to be the runtime user: the policy's name or UID, or
  // the only account when the application's files are given to it. An account
  // nothing is given to serves something else (vsftpd's virtual user, a
  // daemon's own account named in its configuration) and is left as it is.
  const model::UserFact* acct = run.account;
  if (runs_as_root) {
    if (pu->name) acct = accounts.user(*pu->name);
    if (!acct && pu->uid)
      for (const auto& a : accounts.users)
        if (a.uid && *a.uid == *pu->uid) acct = &a;
    if (!acct && accounts.users.size() == 1 && given_files(accounts.users[0].name)) acct = &accounts.users[0];
  }

  // Where a missing step goes: before the first switch away from root, else
  // after the last build step of the runtime stage.
  std::uint32_t first_switch = stage.end;
  for (auto i : st.instructions(fin)) {
    const auto& in = tree.instructions[i];
    if (in.is("user") && !in.values.empty() && !is_root(in.values[0].text)) {
      first_switch = i;
      break;
    }
  }
  const std::uint32_t tail = st.tail_start(fin);
  // A `USER root` in the tail would win over a USER inserted before it.
  // Literal root is replaced; one through a variable gets the new USER after it.
  int root_in_tail = -1;
  std::uint32_t user_at = tail;
  if (runs_as_root && ui >= 0 && static_cast<std::uint32_t>(ui) >= tail && static_cast<std::uint32_t>(ui) >= stage.from) {
    // A USER without a value (found by tests/fuzz, regressions/fix/user-without-value)
    // counts as one we cannot rewrite.
    const auto& values = tree.instructions[static_cast<std::uint32_t>(ui)].values;
    if (!values.empty() && is_root(values[0].text)) root_in_tail = ui;
    else user_at = static_cast<std::uint32_t>(ui) + 1;
  }
  const auto at = ui >= 0 ? tree.instructions[static_cast<std::uint32_t>(ui)].keyword_span
                          : tree.instructions[stage.from].keyword_span;

  // An image others build FROM keeps running as root: a USER in it would run
  // every RUN of the images built on it unprivileged (their apt-get installs
  // fail). Said, not fixed.
  if (runs_as_root) {
    bool sure = false;
    const std::string base_reason = meant_as_base(ctx, stage, sure);
    if (!base_reason.empty()) {
      out.findings.push_back(finding(fmt::format("the runtime stage runs as root ({}: the images built on it choose "
                                                 "their USER; switch by hand if this one ships)",
                                                 base_reason),
                                     at, user_value.empty() ? "root (no USER)" : "root", wanted, ref));
      return;
    }
  }

  // ---- the account exists: check its name and ids
  if (acct) {
    fix_account(ctx, st, fin, texts, accounts, *acct, run, ui, runs_as_root, user_value, root_in_tail, user_at, at, out);
    return;
  }

  // ---- no account created for the runtime user
  if (!runs_as_root) {
    // USER names the wanted user by id: that is what the process runs as.
    const auto uid = number(user_name);
    const auto sep = user_value.find(':');
    const auto gid = sep == std::string::npos ? std::optional<long long>() : number(user_value.substr(sep + 1));
    // The policy's UID:GID given in full is what the process runs as. A bare
    // `USER 10001` with a name in the policy falls through: the account is created
    // and named (as for USER 1001:0), which also gives the process its GID.
    if (pu->uid && uid && *uid == *pu->uid && (!pu->gid || (gid && *gid == *pu->gid))) {
      out.correct.push_back(fmt::format("runs as UID {}", user_value));
      return;
    }
    // `USER 10001` without a group: with no account of that UID in the image the
    // process runs with GID 0 (docker/buildkit: a UID without a passwd entry gets
    // group root), and the base image's account, if any, is unknown here. Naming
    // the policy's GID makes it certain, whatever the base has.
    if (!pu->name && pu->uid && uid && *uid == *pu->uid && pu->gid && !gid && ui >= 0) {
      const auto& user_inst = tree.instructions[static_cast<std::uint32_t>(ui)];
      auto f = finding(fmt::format("USER {} names no group: without an account for UID {} the process runs with GID 0",
                                   user_value, *uid),
                       at, user_value + " (GID not given)", fmt::format("{}:{}", *pu->uid, *pu->gid), ref);
      if (user_inst.values.size() == 1 && user_inst.values[0].text.find('$') == std::string::npos) {
        edit::Fix fix;
        fix.reason = fmt::format("USER {}:{}", *pu->uid, *pu->gid);
        fix.edits.push_back(edit::replace_args(user_inst, fmt::format("{}:{}", *pu->uid, *pu->gid)));
        f.fix = std::move(fix);
      }
      out.findings.push_back(std::move(f));
      return;
    }
    // By name, but the Dockerfile does not create it (the base image may): its
    // ids cannot be checked, so the check is undecided, not passed.
    // An official image (python, debian, ...) has no such account: it is created below.
    const auto root_stage = st.chain(fin).front();
    const auto base_name =
        model::parse_image(lower(st.stages()[static_cast<std::size_t>(root_stage)].base_image.value_or(""))).name;
    bool official = false;
    for (const char* n : {"python", "debian", "ubuntu", "alpine", "node", "ruby", "golang", "buildpack-deps", "fedora",
                          "rockylinux", "almalinux", "ubi", "ubi8", "ubi9", "ubi-minimal", "ubi8-minimal", "ubi9-minimal"})
      if (base_name == n) official = true;
    if (pu->name && user_name == *pu->name && !official) {
      out.findings.push_back(finding(fmt::format("❓ USER {} is not created in this Dockerfile: its UID:GID cannot be checked",
                                                 user_name),
                                     at, user_value + " (not created here)", wanted, ref));
      return;
    }
    // Another account this file does not create, under a base image that may
    // have it (apache/spark's spark): the base's files and home are that
    // account's, and switching away from it needs a person.
    if (!official && !number(user_name) && user_name.find('$') == std::string::npos) {
      out.findings.push_back(finding(fmt::format("the runtime stage runs as {}, an account of the base image (not "
                                                 "created here): switch to {} by hand",
                                                 user_value, wanted),
                                     at, user_value + " (the base image's)", wanted, ref));
      return;
    }
  }
  const std::string current = runs_as_root ? (user_value.empty() ? "root (no USER)" : "root") : user_value + " (not created here)";
  auto f = finding(runs_as_root ? "the runtime stage runs as root" : fmt::format("the runtime stage runs as {}", user_value),
                   at, current, wanted, ref);
  // A user of the base image that files were given to: switching needs a person.
  const bool chowned = !runs_as_root && given_files(user_name);
  if (!pu->name) {
    // Only the ids are known: run as them.
    edit::Fix fix;
    fix.reason = fmt::format("USER {}", ids(*pu));
    if (ui >= 0 && static_cast<std::uint32_t>(ui) >= stage.from)
      fix.edits.push_back(edit::replace_value(tree, tree.instructions[static_cast<std::uint32_t>(ui)], 0, ids(*pu)));
    else
      fix.edits.push_back(model::insert_at(st, fin, tail, {edit::keyword(style, "user") + " " + ids(*pu)}));
    if (!chowned) f.fix = std::move(fix);
    out.findings.push_back(std::move(f));
    return;
  }
  // A USER set through a variable names whoever the build says: not ours to rewrite.
  bool variable = false;
  for (auto i : chain) {
    const auto& in = tree.instructions[i];
    if (in.is("user") && !in.values.empty() && in.values[0].text.find('$') != std::string::npos) variable = true;
  }
  if (pm == PackageManager::None || chowned || (variable && !runs_as_root)) {
    f.message += chowned    ? " (files are given to that user: switch by hand)"
                 : variable ? " (USER is set through a build argument: switch by hand)"
                            : " (no useradd in this image: create the user by hand)";
    out.findings.push_back(std::move(f));
    return;
  }
  const std::uint32_t create_at = runs_as_root ? tail : first_switch < stage.end ? first_switch : tail;
  if (!st.posix_shell_at(fin, create_at)) {
    f.message += " (the SHELL there is not a POSIX shell: create the user by hand)";
    out.findings.push_back(std::move(f));
    return;
  }
  edit::Fix fix;
  fix.reason = fmt::format("create {} and run as it", wanted);
  const std::string create =
      edit::keyword(style, "run") + " " +
      create_command(pm, st.stages()[static_cast<std::size_t>(st.chain(fin).front())].base_image.value_or(""), *pu);
  if (runs_as_root) {
    if (root_in_tail >= 0) {
      fix.edits.push_back(model::insert_at(st, fin, tail, {create}));
      fix.edits.push_back(edit::replace_value(tree, tree.instructions[static_cast<std::uint32_t>(root_in_tail)], 0, *pu->name));
    } else if (user_at == tail) {
      fix.edits.push_back(model::insert_at(st, fin, tail, {create, edit::keyword(style, "user") + " " + *pu->name}));
    } else {
      fix.edits.push_back(model::insert_at(st, fin, tail, {create}));
      fix.edits.push_back(model::insert_at(st, fin, user_at, {edit::keyword(style, "user") + " " + *pu->name}));
    }
  } else {
    fix.edits.push_back(model::insert_at(st, fin, create_at, {create}));
    bool renamed = false;
    for (auto i : chain) {
      const auto& in = tree.instructions[i];
      // Only a plain `user[:group]` word: a value with blanks, quotes or escapes
      // would come back quoted differently, and be "renamed" again next time.
      const std::string v = in.values.empty() ? std::string() : std::string(in.values[0].text);
      if (in.is("user") && !v.empty() && v.find_first_of(" \t\"'\\`$") == std::string::npos &&
          names_part(v, user_name)) {
        // USER 1001:0 names ids, not the account: the new user brings its own group.
        fix.edits.push_back(edit::replace_value(tree, in, 0, run.numeric ? *pu->name : rename_parts(v, user_name, *pu->name)));
        renamed = true;
      }
    }
    // Creating the user without switching to it would be done again by every
    // later fix (found by tests/fuzz, regressions/fix/user-create-without-switch).
    if (!renamed) {
      f.message += " (USER cannot be rewritten: switch by hand)";
      out.findings.push_back(std::move(f));
      return;
    }
  }
  f.fix = std::move(fix);
  out.findings.push_back(std::move(f));
}

}  // namespace

const RuleRegistration k_user{RuleSpec("user")
    .example("FROM debian:bookworm-slim\n"
             "RUN adduser --system --uid 999 --no-create-home svc\n"
             "USER svc\n"
             "CMD [\"sleep\", \"infinity\"]\n",
             "FROM debian:bookworm-slim\n"
             "RUN addgroup --system --gid 10001 svc && adduser --ingroup svc --system --uid 10001 --no-create-home svc\n"
             "USER svc\n"
             "CMD [\"sleep\", \"infinity\"]\n",
             "FROM debian:bookworm-slim\n"
             "RUN addgroup --system --gid 10001 svc && adduser --system --uid 10001 --ingroup svc --no-create-home svc\n"
             "USER svc\n"
             "CMD [\"sleep\", \"infinity\"]\n")
    .example_policy("defaults:\n"
                    "  user: {name: svc, uid: 10001, gid: 10001}\n")
    .kind(RuleKind::Policy)
    .safety(FixSafety::Unsafe)
    .priority(1)
    .order(40)
    .summary("the runtime stage runs as the policy's user with its UID:GID (user.name, uid, gid)")
    .fix("renames the user the image creates everywhere it is named (useradd/adduser, groupadd/addgroup, USER, "
        "--chown, chown) and gives it the policy's UID and GID in its own tool's dialect (shadow, Debian adduser, "
        "busybox), creating its group first in the same RUN when the GID cannot follow the UID; or creates it "
        "(groupadd+useradd, addgroup+adduser on Alpine, shadow-utils first on ubi-minimal) and sets USER after "
        "the last step that needs root; a numeric USER becomes the policy's user")
    .check(&check)};

}  // namespace dockmend::transforms::rules
