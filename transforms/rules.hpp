// The rule lists. A new rule is one transforms/<rule>.cpp defining an accessor,
// declared here and listed once in policy_registry.cpp or builtin_registry.cpp.
#pragma once
#include <vector>

#include "transforms/rule.hpp"

namespace dockmend::transforms {
// Rules driven by the policy's values (ports, user, tini, ...), in audit order.
const std::vector<const Rule*>& policy_rules();
// Built-in best-practice rules, which need no per-repository values.
const std::vector<const Rule*>& builtin_rules();
}  // namespace dockmend::transforms

namespace dockmend::transforms::rules {
// Built-in rules.
const Rule& exec_form();
const Rule& add_to_copy();
const Rule& maintainer();
const Rule& legacy_key_value();
const Rule& from_as_casing();
const Rule& stage_name_casing();
const Rule& from_platform();
const Rule& workdir_absolute();
const Rule& apt_get_not_apt();
const Rule& apt_update_install();
const Rule& apt_get_yes();
const Rule& apt_no_install_recommends();
const Rule& apt_lists_cleanup();
const Rule& apt_upgrade();
const Rule& apk_no_cache();
const Rule& yum_yes();
const Rule& yum_clean();
const Rule& zypper_yes();
const Rule& zypper_clean();
const Rule& pip_no_cache_dir();
const Rule& npm_cache_clean();
const Rule& npm_cache_force();
const Rule& yarn_cache_clean();
const Rule& gem_no_document();
const Rule& gem_update_system_cleanup();
const Rule& curl_fail();
const Rule& curl_location();
const Rule& download_https();
const Rule& wget_progress();
const Rule& gpg_batch();
const Rule& tar_rm_archive();
const Rule& gpg_signature_cleanup();
const Rule& mktemp_cleanup();
const Rule& checksum_two_spaces();
const Rule& useradd_no_log_init();
const Rule& pipefail();
const Rule& non_root_user();
const Rule& cd_in_run();
const Rule& no_sudo();
const Rule& apt_pin();
const Rule& apk_pin();
const Rule& pip_pin();
const Rule& npm_pin();
const Rule& gem_pin();
const Rule& yum_pin();
const Rule& zypper_pin();
}  // namespace dockmend::transforms::rules
