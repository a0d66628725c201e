// user: the runtime stage runs as the policy's user (name, UID, GID), created
// in the Dockerfile, with USER set after the last step that needs root.
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "transforms/rule.hpp"
#include "transforms/policy_support.hpp"

namespace dockmend::transforms::rules {
namespace {

using namespace support;

struct Word {
  std::size_t text = 0, command = 0, word = 0;
};

// useradd / adduser creating an account.
struct Account {
  std::size_t text = 0, command = 0;
  bool busybox_style = false;  // adduser -G GROUP (busybox) rather than useradd -g
  std::string name;
  std::size_t name_word = 0;
  std::optional<shell::OptionMatch> uid_opt, group_opt;
  std::optional<long long> uid;
  std::string group;  // primary group as written (name or number), "" when not given
  bool long_options = false;
  bool home_option = false;
};

// groupadd / addgroup creating a group.
struct Group {
  std::size_t text = 0, command = 0;
  std::string name;
  std::size_t name_word = 0;
  std::optional<shell::OptionMatch> gid_opt;
  std::optional<long long> gid;
};

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
edit::Edit set_option_value(const ShellText& sh, const shell::Command& c, const shell::OptionMatch& m,
                            std::string_view value) {
  if (m.value_word) return {sh.to_source(c.words[*m.value_word].span), std::string(value)};
  const auto& w = c.words[m.word];
  const std::string raw(sh.slice(w.span));
  const std::string head = raw.substr(0, raw.size() >= m.value.size() ? raw.size() - m.value.size() : 0);
  return {sh.to_source(w.span), head + std::string(value)};
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

struct Model {
  std::vector<ShellText> texts;
  std::vector<Account> accounts;
  std::vector<Group> groups;
};

Model read_model(const Tree& tree, const std::vector<std::uint32_t>& insts) {
  Model m;
  m.texts = shell_texts(tree, insts);
  for (std::size_t t = 0; t < m.texts.size(); ++t) {
    const auto& cmds = m.texts[t].script.commands;
    for (std::size_t c = 0; c < cmds.size(); ++c) {
      const auto inv = shell::invocation(cmds[c]);
      if (!inv) continue;
      const auto ops = operands(cmds[c]);
      if (inv->name == "useradd" || inv->name == "adduser") {
        // `adduser USER GROUP` adds a member: not a creation.
        if (ops.size() != 1) continue;
        Account a;
        a.text = t;
        a.command = c;
        a.name_word = ops[0];
        a.name = cmds[c].words[ops[0]].value;
        a.uid_opt = shell::find_option(cmds[c], {"-u", "--uid"});
        if (a.uid_opt) a.uid = number(a.uid_opt->value);
        if (inv->name == "useradd") {
          a.group_opt = shell::find_option(cmds[c], {"-g", "--gid"});
        } else {
          a.busybox_style = true;
          a.group_opt = shell::find_option(cmds[c], {"-G", "--ingroup", "--gid"});
        }
        if (a.group_opt) a.group = a.group_opt->value;
        a.home_option = shell::has_option(cmds[c], {"-d", "--home-dir", "--home", "-h"});
        for (const auto& w : cmds[c].words)
          if (starts_with(w.value, "--")) a.long_options = true;
        m.accounts.push_back(std::move(a));
      } else if (inv->name == "groupadd" || inv->name == "addgroup") {
        if (ops.size() != 1) continue;
        Group g;
        g.text = t;
        g.command = c;
        g.name_word = ops[0];
        g.name = cmds[c].words[ops[0]].value;
        g.gid_opt = shell::find_option(cmds[c], {"-g", "--gid"});
        if (g.gid_opt) g.gid = number(g.gid_opt->value);
        m.groups.push_back(std::move(g));
      }
    }
  }
  return m;
}

const Group* group_named(const Model& m, std::string_view name) {
  for (const auto& g : m.groups)
    if (g.name == name) return &g;
  return nullptr;
}

// Every place the Dockerfile names user or group `from`, renamed to `to`.
void rename_everywhere(const Tree& tree, const StageSet& st, int fin, const Model& m, const std::string& from,
                       const std::string& to, bool home_follows, std::vector<edit::Edit>& edits) {
  for (const auto& sh : m.texts) {
    for (const auto& c : sh.script.commands) {
      const auto inv = shell::invocation(c);
      if (!inv) continue;
      const auto name = inv->name;
      auto rename_word = [&](std::size_t w) {
        const auto raw = sh.slice(c.words[w].span);
        if (names_part(c.words[w].value, from)) edits.push_back({sh.to_source(c.words[w].span), rename_parts(raw, from, to)});
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
          if (changed) edits.push_back(set_option_value(sh, c, *opt, renamed));
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

std::string create_command(PackageManager pm, const policy::User& u) {
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

void check(const Context& ctx, Outcome& out) {
  const auto& pu = ctx.settings.user;
  const auto stages = stages_for_rule(pu && (pu->name || pu->uid), ctx.tree, out);
  if (!stages) return;
  const StageSet& st = *stages;
  const auto& tree = ctx.tree;
  const auto style = edit::style_of(tree);
  const int fin = st.final_index();
  const auto& stage = st.list[static_cast<std::size_t>(fin)];
  const std::string ref = pu->ref;
  const std::string wanted = describe(*pu);
  const auto chain = st.chain_instructions(fin);
  const Model m = read_model(tree, chain);
  const auto& texts = m.texts;

  // The USER the image ends with.
  const int ui = st.last_in_chain(fin, "user");
  std::string user_value;
  if (ui >= 0 && !tree.instructions[static_cast<std::uint32_t>(ui)].values.empty()) {
    user_value = tree.instructions[static_cast<std::uint32_t>(ui)].values[0].text;
    if (user_value.find('$') != std::string::npos) {
      auto x = expand(user_value, st.vars_at(tree.stage_of(static_cast<std::uint32_t>(ui), st.list), static_cast<std::uint32_t>(ui)));
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

  // The account the image runs as, when the Dockerfile creates it.
  const Account* acct = nullptr;
  if (!runs_as_root) {
    for (const auto& a : m.accounts)
      if (a.name == user_name || (a.uid && number(user_name) && *a.uid == *number(user_name))) acct = &a;
  } else {
    for (const auto& a : m.accounts)
      if (pu->name && a.name == *pu->name) acct = &a;
    if (!acct)
      for (const auto& a : m.accounts)
        if (pu->uid && a.uid && *a.uid == *pu->uid) acct = &a;
    if (!acct && m.accounts.size() == 1) acct = &m.accounts[0];
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

  // ---- the account exists: check its name and ids
  if (acct) {
    const auto& sh = texts[acct->text];
    const auto& cmd = sh.script.commands[acct->command];
    edit::Fix fix;
    std::vector<std::string> problems;
    std::string name = acct->name;
    if (pu->name && acct->name != *pu->name) {
      const bool taken = std::any_of(m.accounts.begin(), m.accounts.end(), [&](const Account& a) { return a.name == *pu->name; });
      if (taken) {
        out.findings.push_back(finding(fmt::format("the image runs as {}, and {} is another account", acct->name, *pu->name),
                                       at, acct->name, wanted, ref));
        return;
      }
      problems.push_back(fmt::format("named {}", acct->name));
      rename_everywhere(tree, st, fin, m, acct->name, *pu->name, !acct->home_option, fix.edits);
      name = *pu->name;
    }
    // UID.
    std::string current_uid = acct->uid ? std::to_string(*acct->uid) : std::string("?");
    if (pu->uid && (!acct->uid || *acct->uid != *pu->uid)) {
      problems.push_back(acct->uid ? fmt::format("UID {}", *acct->uid) : std::string("no fixed UID"));
      if (acct->uid_opt) {
        fix.edits.push_back(set_option_value(sh, cmd, *acct->uid_opt, std::to_string(*pu->uid)));
      } else if (auto p = shell::insertion_point(cmd, shell::InsertAt::AfterProgram)) {
        fix.edits.push_back({sh.to_source({*p, *p}), fmt::format(acct->long_options ? " --uid {}" : " -u {}", *pu->uid)});
      }
    }
    // GID: the primary group's, numeric or through the group's creation.
    std::string current_gid = "?";
    bool gid_unknown = false;
    if (pu->gid) {
      const Group* grp = nullptr;
      std::optional<long long> gid;
      if (auto n = number(acct->group)) {
        gid = n;
      } else if (!acct->group.empty()) {
        grp = group_named(m, acct->group);
        if (grp) gid = grp->gid;
      } else {
        // No group given: useradd/adduser create one named after the user,
        // with the UID as GID when it is free (and a groupadd of that name).
        grp = group_named(m, acct->name);
        gid = grp ? grp->gid : acct->uid;
      }
      if (gid) current_gid = std::to_string(*gid);
      if (!gid || *gid != *pu->gid) {
        if (acct->group_opt && number(acct->group)) {
          problems.push_back(fmt::format("GID {}", acct->group));
          fix.edits.push_back(set_option_value(sh, cmd, *acct->group_opt, std::to_string(*pu->gid)));
        } else if (grp && grp->gid_opt) {
          problems.push_back(fmt::format("GID {}", grp->gid_opt->value));
          const auto& gsh = texts[grp->text];
          fix.edits.push_back(set_option_value(gsh, gsh.script.commands[grp->command], *grp->gid_opt, std::to_string(*pu->gid)));
        } else if (grp) {
          problems.push_back("no fixed GID");
          const auto& gsh = texts[grp->text];
          const auto& gcmd = gsh.script.commands[grp->command];
          if (auto p = shell::insertion_point(gcmd, shell::InsertAt::AfterProgram))
            fix.edits.push_back({gsh.to_source({*p, *p}), fmt::format(" --gid {}", *pu->gid)});
        } else {
          problems.push_back(acct->group.empty() ? "no fixed GID" : fmt::format("primary group {}", acct->group));
          gid_unknown = true;
        }
      }
    }
    const std::string current = fmt::format("{} ({}:{})", acct->name, current_uid, current_gid);
    // USER.
    if (runs_as_root) {
      problems.push_back(user_value.empty() ? "no USER: runs as root" : "USER root");
      if (root_in_tail >= 0) {
        fix.edits.push_back(edit::replace_value(tree, tree.instructions[static_cast<std::uint32_t>(root_in_tail)], 0, name));
      } else {
        fix.edits.push_back(insert_at(st, fin, user_at, {edit::keyword(style, "user") + " " + name}));
      }
    }
    if (problems.empty()) {
      out.correct.push_back(fmt::format("runs as {} ({}:{})", name, current_uid, current_gid));
      return;
    }
    auto f = finding(fmt::format("the runtime user is {}", join(problems, ", ")), at,
                     runs_as_root ? fmt::format("{}; {} created", user_value.empty() ? "root (no USER)" : "root", current)
                                  : current,
                     wanted, ref);
    if (gid_unknown) f.message += " (set the primary group's GID by hand)";
    else if (!fix.edits.empty()) {
      fix.reason = fmt::format("the runtime stage runs as {}", wanted);
      f.fix = std::move(fix);
    }
    out.findings.push_back(std::move(f));
    return;
  }

  // ---- no account created for the runtime user
  if (!runs_as_root) {
    // USER names the wanted user by id: that is what the process runs as.
    const auto uid = number(user_name);
    const auto sep = user_value.find(':');
    const auto gid = sep == std::string::npos ? std::optional<long long>() : number(user_value.substr(sep + 1));
    if (pu->uid && uid && *uid == *pu->uid && (!pu->gid || !gid || *gid == *pu->gid)) {
      out.correct.push_back(fmt::format("runs as UID {}", user_value));
      return;
    }
    // By name, but the Dockerfile does not create it (the base image may): its ids cannot be checked.
    if (pu->name && user_name == *pu->name) {
      out.findings.push_back(finding(fmt::format("USER {} is not created in this Dockerfile: its UID:GID cannot be checked",
                                                 user_name),
                                     at, user_value + " (not created here)", wanted, ref));
      return;
    }
  }
  bool guessed = false;
  const PackageManager pm = package_manager(st, fin, &guessed);
  const std::string current = runs_as_root ? (user_value.empty() ? "root (no USER)" : "root") : user_value + " (not created here)";
  auto f = finding(runs_as_root ? "the runtime stage runs as root" : fmt::format("the runtime stage runs as {}", user_value),
                   at, current, wanted, ref);
  // A user of the base image that files were given to: switching needs a person.
  bool chowned = false;
  if (!runs_as_root)
    for (auto i : chain) {
      const auto& in = tree.instructions[i];
      for (const auto& fl : in.flags)
        if (fl.name == "chown" && names_part(fl.value, user_name)) chowned = true;
    }
  if (!runs_as_root)
    for (const auto& sh : texts)
      for (const auto& c : sh.script.commands)
        if (auto inv = shell::invocation(c); inv && (inv->name == "chown" || inv->name == "chgrp")) {
          const auto ops = operands(c);
          if (!ops.empty() && names_part(c.words[ops[0]].value, user_name)) chowned = true;
        }
  if (!pu->name) {
    // Only the ids are known: run as them.
    edit::Fix fix;
    fix.reason = fmt::format("USER {}", ids(*pu));
    if (ui >= 0 && static_cast<std::uint32_t>(ui) >= stage.from)
      fix.edits.push_back(edit::replace_value(tree, tree.instructions[static_cast<std::uint32_t>(ui)], 0, ids(*pu)));
    else
      fix.edits.push_back(insert_at(st, fin, tail, {edit::keyword(style, "user") + " " + ids(*pu)}));
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
  if (pm == PackageManager::Unknown || chowned || (variable && !runs_as_root)) {
    f.message += chowned    ? " (files are given to that user: switch by hand)"
                 : variable ? " (USER is set through a build argument: switch by hand)"
                            : " (no useradd in this image: create the user by hand)";
    out.findings.push_back(std::move(f));
    return;
  }
  edit::Fix fix;
  fix.reason = fmt::format("create {} and run as it", wanted);
  const std::string create = edit::keyword(style, "run") + " " + create_command(pm, *pu);
  if (runs_as_root) {
    if (root_in_tail >= 0) {
      fix.edits.push_back(insert_at(st, fin, tail, {create}));
      fix.edits.push_back(edit::replace_value(tree, tree.instructions[static_cast<std::uint32_t>(root_in_tail)], 0, *pu->name));
    } else if (user_at == tail) {
      fix.edits.push_back(insert_at(st, fin, tail, {create, edit::keyword(style, "user") + " " + *pu->name}));
    } else {
      fix.edits.push_back(insert_at(st, fin, tail, {create}));
      fix.edits.push_back(insert_at(st, fin, user_at, {edit::keyword(style, "user") + " " + *pu->name}));
    }
  } else {
    fix.edits.push_back(insert_at(st, fin, first_switch < stage.end ? first_switch : tail, {create}));
    bool renamed = false;
    for (auto i : chain) {
      const auto& in = tree.instructions[i];
      // Only a plain `user[:group]` word: a value with blanks, quotes or escapes
      // would come back quoted differently, and be "renamed" again next time.
      const std::string v = in.values.empty() ? std::string() : std::string(in.values[0].text);
      if (in.is("user") && !v.empty() && v.find_first_of(" \t\"'\\`$") == std::string::npos &&
          names_part(v, user_name)) {
        fix.edits.push_back(edit::replace_value(tree, in, 0, rename_parts(v, user_name, *pu->name)));
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
    .kind(RuleKind::Policy)
    .safety(FixSafety::Unsafe)
    .priority(1)
    .order(40)
    .summary("the runtime stage runs as the policy's user with its UID:GID (user.name, uid, gid)")
    .fix("renames the user the image creates with that UID everywhere it is named (useradd, groupadd, USER, "
        "--chown, chown), fixes its ids, or creates it (groupadd+useradd, addgroup+adduser on Alpine) and "
        "sets USER after the last step that needs root")
    .check(&check)};

}  // namespace dockmend::transforms::rules
