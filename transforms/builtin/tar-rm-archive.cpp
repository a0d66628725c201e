// tar-rm-archive: an archive downloaded and unpacked in a RUN should not stay in its layer.
#include <algorithm>
#include <fmt/format.h>

#include "transforms/builtin/downloads.hpp"

namespace dockmend::transforms::rules {
namespace {

using namespace downloads;

void check_tar(const Context& ctx, Outcome& out) {
  check_consumed_download(ctx, out,
                          {&extracted_archive, "unpacked", "tar", "downloaded archives are removed after extraction"});
}

}  // namespace

const RuleRegistration k_tar_rm_archive{RuleSpec("tar-rm-archive")
    .example("FROM debian:12\nRUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz && tar -xzf /tmp/a.tgz -C /opt\n",
             "FROM debian:12\nRUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz && tar -xzf /tmp/a.tgz -C /opt && rm -f /tmp/a.tgz\n",
             "FROM debian:12\nRUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz && tar -xzf /tmp/a.tgz -C /opt && rm -f /tmp/a.tgz\n")
    .aliases("tarSomethingRmTheSomething")
    .safety(FixSafety::Safe)
    .priority(2)
    .order(310)
    .summary("an archive downloaded and unpacked in a RUN is not removed")
    .fix("adds rm -f ARCHIVE right after the tar command, with the script's own separator")
    .check(&check_tar)};

}  // namespace dockmend::transforms::rules
