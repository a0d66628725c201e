#pragma once
// Replacing a file's content so that readers see either the old or the new bytes,
// never a mix, and never clobbering a change someone made after we read it.

#include "io/io_error.hpp"
#include "io/read_file.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace dockmend::io {

struct WriteResult {
  std::optional<IoError> error;
  bool ok() const { return !error.has_value(); }
};

// Writes `new_bytes` to `path`, which must still match `expected` (from read_file).
// - A symlink is followed: its final target is replaced, the link stays.
// - Refuses ("... changed on disk since it was read") when size, inode or mtime
//   differ, or when the file's mtime is too close to the read to be trusted; in
//   those unsure cases the file is re-read and its hash compared, so a mere touch
//   or an identical rewrite is not a conflict.
// - Refuses a file the caller may not write (access(W_OK); root passes).
// - Writes ".<name>.dockmend-XXXXXX" next to the target, fsyncs it, gives it the
//   original's owner (when permitted) and mode, renames it over the target and
//   fsyncs the directory. On any failure before the rename, the temporary file is
//   removed and the original is untouched. A failure of the final directory fsync
//   is reported although the new content is already in place.
// Limits: rename gives the file a new inode, so hard links to it keep the old
// content, and ACLs / extended attributes are not copied.
WriteResult atomic_write(const std::string& path, std::string_view new_bytes,
                         const FileStamp& expected);

// Test seam: the hook runs before each step and returns an errno to make that
// step fail with, or 0 to let it run. Thread-local; pass {} to remove it.
enum class WriteStep { access, open, write, fsync, chown, chmod, rename, fsync_dir };
void set_write_fault_for_testing(std::function<int(WriteStep)> hook);

}  // namespace dockmend::io
