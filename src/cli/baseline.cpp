#include "cli/baseline.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "io/atomic_write.hpp"
#include "io/io_error.hpp"
#include "io/read_file.hpp"
#include "io/sharding.hpp"

namespace dockmend::cli {

namespace {

// Whitespace runs become one space; leading and trailing ones go.
std::string squeeze(std::string_view s) {
  std::string out;
  bool blank = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      blank = !out.empty();
      continue;
    }
    if (blank) out += ' ';
    blank = false;
    out += c;
  }
  return out;
}

}  // namespace

std::vector<std::string> baseline_keys(const std::string& path, const transforms::FileReport& rep) {
  std::vector<std::string> keys;
  keys.reserve(rep.findings.size());
  const syntax::Tree tree = syntax::parse(rep.original, {false});
  std::map<std::string, std::size_t> seen;
  for (const auto& f : rep.findings) {
    std::string where = path;
    std::string text;
    if (!f.file.empty()) {
      // About another file (requirements.txt): its path and the message.
      where = f.file;
      text = f.message;
    } else {
      // The instruction holding the finding; none for file-level findings.
      const auto& insts = tree.instructions;
      auto it = std::upper_bound(insts.begin(), insts.end(), f.at.begin,
                                 [](std::uint32_t at, const syntax::Instruction& i) { return at < i.span.begin; });
      if (it != insts.begin() && f.at.begin < std::prev(it)->span.end)
        text = squeeze(std::prev(it)->logical.text);
    }
    const std::string stem =
        fmt::format("{}\t{}\t{:016x}", f.rule, where, io::fnv1a_64(text));
    const std::size_t n = seen[stem]++;
    keys.push_back(fmt::format("{}\t{}", stem, n));
  }
  return keys;
}

Baseline Baseline::parse(const std::string& text, const std::string& file) {
  Baseline b;
  std::size_t line_no = 0, pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1) {
      if (line != k_baseline_header)
        throw std::runtime_error(
            fmt::format("{}:1:1: not a dockmend baseline (write one with --write-baseline)", file));
      continue;
    }
    if (line.empty()) continue;
    if (std::count(line.begin(), line.end(), '\t') != 3)
      throw std::runtime_error(fmt::format("{}:{}:1: expected rule, path, fingerprint and occurrence separated by tabs",
                                           file, line_no));
    b.m_keys.insert(std::move(line));
  }
  if (line_no == 0) throw std::runtime_error(fmt::format("{}: empty file, not a dockmend baseline", file));
  return b;
}

std::string baseline_text(std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::string out(k_baseline_header);
  out += '\n';
  for (const auto& k : keys) out += k + '\n';
  return out;
}

std::string write_baseline_file(const std::string& path, const std::string& text) {
  io::ReadOptions ro;
  ro.stamp = true;
  auto old = io::read_file(path, ro);
  if (old.ok()) {
    if (old.bytes == text) return "";
    auto w = io::atomic_write(path, text, old.stamp);
    return w.ok() ? "" : w.error->message;
  }
  errno = 0;
  std::FILE* fp = std::fopen(path.c_str(), "wbx");
  bool ok = fp && std::fwrite(text.data(), 1, text.size(), fp) == text.size();
  const int err = errno;
  if (fp) ok = std::fclose(fp) == 0 && ok;
  if (ok) return "";
  if (fp) std::remove(path.c_str());
  return fmt::format("cannot write '{}'{}", path, err ? ": " + io::errno_text(err) : std::string());
}

}  // namespace dockmend::cli
