#include "transforms/rules.hpp"

namespace dockmend::transforms {

const std::vector<const Rule*>& builtin_rules() {
  static const std::vector<const Rule*> k_rules = {
      &rules::exec_form(),
      &rules::add_to_copy(),
      &rules::maintainer(),
      &rules::legacy_key_value(),
      &rules::from_as_casing(),
      &rules::stage_name_casing(),
      &rules::from_platform(),
      &rules::workdir_absolute(),
      &rules::apt_get_not_apt(),
      &rules::apt_update_install(),
      &rules::apt_get_yes(),
      &rules::apt_no_install_recommends(),
      &rules::apt_lists_cleanup(),
      &rules::apt_upgrade(),
      &rules::apk_no_cache(),
      &rules::yum_yes(),
      &rules::yum_clean(),
      &rules::zypper_yes(),
      &rules::zypper_clean(),
      &rules::pip_no_cache_dir(),
      &rules::npm_cache_clean(),
      &rules::npm_cache_force(),
      &rules::yarn_cache_clean(),
      &rules::gem_no_document(),
      &rules::gem_update_system_cleanup(),
      &rules::curl_fail(),
      &rules::curl_location(),
      &rules::download_https(),
      &rules::wget_progress(),
      &rules::gpg_batch(),
      &rules::tar_rm_archive(),
      &rules::gpg_signature_cleanup(),
      &rules::mktemp_cleanup(),
      &rules::checksum_two_spaces(),
      &rules::useradd_no_log_init(),
      &rules::pipefail(),
      &rules::non_root_user(),
      &rules::cd_in_run(),
      &rules::no_sudo(),
      &rules::apt_pin(),
      &rules::apk_pin(),
      &rules::pip_pin(),
      &rules::npm_pin(),
      &rules::gem_pin(),
      &rules::yum_pin(),
      &rules::zypper_pin(),
  };
  return k_rules;
}

}  // namespace dockmend::transforms
