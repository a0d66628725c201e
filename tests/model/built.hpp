// A Dockerfile text with its tree and image model, for the model tests.
#pragma once
#include <cstddef>
#include <string>
#include <utility>

#include "edit/edit.hpp"
#include "model/model.hpp"

namespace dockmend::test {

struct Built {
  std::string text;
  syntax::Tree tree;
  model::Model model;
  explicit Built(std::string t, const model::BuildOptions& o = {})
      : text(std::move(t)), tree(syntax::parse(text, {false})), model(model::Model::build(tree, o)) {}
  // How many RUNs the model read as POSIX shell scripts.
  std::size_t parsed_runs() const {
    std::size_t n = 0;
    for (const auto& r : model.runs()) n += r.parsed;
    return n;
  }
  // The text with one edit applied.
  std::string with(const edit::Edit& e) const {
    return text.substr(0, e.range.begin) + e.text + text.substr(e.range.end);
  }
};

}  // namespace dockmend::test
