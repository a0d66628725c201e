#pragma once
// Reading a file whole, with the stamp atomic_write later uses to notice that
// someone else changed the file in between.

#include "io/io_error.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace dockmend::io {

inline constexpr std::uint64_t k_default_max_file_bytes = 64ULL * 1024 * 1024;

// What the file looked like when it was read.
struct FileStamp {
  bool known = false;          // false for a default-constructed stamp (file never read)
  std::uint64_t dev = 0;
  std::uint64_t inode = 0;
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;   // since the epoch
  std::uint32_t mode = 0;      // st_mode: type and permission bits
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::uint64_t content_hash = 0;  // fnv1a_64 of the bytes read
  std::int64_t read_at_ns = 0;     // wall clock just before reading; see atomic_write
};

struct ReadOptions {
  // Bigger files are reported as an error instead of being read.
  std::uint64_t max_bytes = k_default_max_file_bytes;
  // Fill the stamp (an fstat after the read, and FileStamp::content_hash):
  // atomic_write's race check needs it; a reader that never writes the file
  // back can skip the system call and the pass over the bytes.
  bool stamp = true;
  // Open without following a symbolic link anywhere in the path (Linux's
  // openat2 with RESOLVE_NO_SYMLINKS) when possible, and say so in
  // ReadResult::no_symlinks: a caller then knows the path, made absolute, is the
  // file's canonical one without resolving it. A path with a link in it, or a
  // kernel without openat2, is opened as usual.
  bool no_symlinks = false;
};

struct ReadResult {
  std::string bytes;
  FileStamp stamp;  // unknown (default) unless ReadOptions::stamp
  std::optional<IoError> error;  // set => bytes and stamp are meaningless
  bool no_symlinks = false;      // opened with ReadOptions::no_symlinks, and the path had none
  bool ok() const { return !error.has_value(); }
};

// Reads a regular file (following symlinks). Directories and other non-regular
// files are refused; errors read "cannot read 'x': Permission denied".
ReadResult read_file(const std::string& path, const ReadOptions& options = {});

// Test seam: the hook runs before each step and returns an errno to make that
// step fail with, or 0 to let it run. Thread-local; pass {} to remove it.
enum class ReadStep { open, read };
void set_read_fault_for_testing(std::function<int(ReadStep)> hook);

}  // namespace dockmend::io
