// Who a stage's image runs as, with the UID and GID when the model knows them:
// root; a number (USER 1000, USER 1001:0); an account a RUN of the stage or of
// a stage it builds FROM creates (src/model/accounts.hpp, with the IDs its tool
// gives); or an account every base of a known distribution has with the same
// IDs (nobody on Debian, Ubuntu, Alpine and busybox; nonroot on distroless).
// Otherwise an ID is unknown: the base image's /etc/passwd decides at run time.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "model/accounts.hpp"
#include "model/model.hpp"

namespace dockmend::model {

struct Identity {
  std::string user;                      // the USER value in effect ("root" when none; Windows: its account)
  std::optional<std::int64_t> uid, gid;  // nullopt: unknown before the build
  IdSource uid_source = IdSource::Unknown, gid_source = IdSource::Unknown;
  bool created = false;                  // the account is made by the file
  bool windows = false;                  // a Windows account (no UID/GID)
};

// After the stage's last instruction.
Identity identity(const Model& model, std::int32_t stage);

// "1000:1000", "1000:?" (a part unknown), "" when neither is known or on Windows.
std::string uid_gid_text(const Identity& id);

}  // namespace dockmend::model
