// gpg-signature-cleanup: a signature downloaded and verified in a RUN should not
// stay in its layer.
#include <algorithm>
#include <fmt/format.h>

#include "transforms/builtin/downloads.hpp"

namespace dockmend::transforms::rules {
namespace {

using namespace downloads;

void check_gpg_signature(const Context& ctx, Outcome& out) {
  check_consumed_download(ctx, out,
                          {&verified_signature, "verified", "gpg --verify",
                           "downloaded signatures are removed after verification"});
}

}  // namespace

const RuleRegistration k_gpg_signature_cleanup{RuleSpec("gpg-signature-cleanup")
    .example("FROM debian:12\nRUN curl -fsSLo /tmp/a.tgz.asc https://example.com/a.tgz.asc && gpg --batch --verify /tmp/a.tgz.asc /opt/a.tgz\n",
             "FROM debian:12\nRUN curl -fsSLo /tmp/a.tgz.asc https://example.com/a.tgz.asc && gpg --batch --verify /tmp/a.tgz.asc /opt/a.tgz && rm -f /tmp/a.tgz.asc\n",
             "FROM debian:12\nRUN curl -fsSLo /tmp/a.tgz.asc https://example.com/a.tgz.asc && gpg --batch --verify /tmp/a.tgz.asc /opt/a.tgz && rm -f /tmp/a.tgz.asc\n")
    .aliases("gpgVerifyAscRmAsc")
    .safety(FixSafety::Safe)
    .priority(3)
    .order(320)
    .summary("a signature downloaded and verified in a RUN is not removed")
    .fix("adds rm -f SIGNATURE right after the gpg --verify command, with the script's own separator")
    .check(&check_gpg_signature)};

}  // namespace dockmend::transforms::rules
