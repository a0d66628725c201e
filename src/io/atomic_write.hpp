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

// Creates `path`, which must not exist, holding `bytes`: written as atomic_write
// writes (".<name>.dockmend-XXXXXX" in the same directory, fsync, then published
// and the directory fsynced), so that whoever looks sees no file or the whole
// one, and an interruption leaves no partial file at `path`. Publishing uses
// renameat2(RENAME_NOREPLACE), or link() where the filesystem lacks it, so a file
// that appeared at `path` meanwhile is never overwritten ("... already exists").
// The directory must exist. The file gets mode 0666 less the umask, as
// open(O_CREAT) would give it. The steps are WriteStep open, write, fsync,
// chmod, rename (publishing) and fsync_dir. Errors name the file `shown` (the
// path, when empty).
WriteResult create_file(const std::string& path, std::string_view bytes, std::string_view shown = {});

// Test seam: the hook runs before each step and returns an errno to make that
// step fail with, or 0 to let it run. Thread-local; pass {} to remove it.
enum class WriteStep { access, open, write, fsync, chown, chmod, rename, fsync_dir };
void set_write_fault_for_testing(std::function<int(WriteStep)> hook);

}  // namespace dockmend::io
