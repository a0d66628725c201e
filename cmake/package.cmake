# The Debian package: `scripts/package` (or `cpack -G DEB` in a build
# directory) makes dockmend_VERSION_ARCH.deb of what cmake/install.cmake
# installs, under /usr.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME dockmend)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "audit and fix Dockerfiles against a policy")
# The long description (CPack puts the summary above it, each line indented).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "dockmend checks a repository's Dockerfiles against a team policy
(dockmend.yaml: ports, non-root user, tini as PID 1, hashed pip installs, ...)
or against built-in best-practice rules (hadolint's and buildkit's checks),
and fixes them with the smallest edits, never changing a byte it was not
asked to change. Reports as text, unified diff, Markdown, JSON or SARIF.")
set(DOCKMEND_PACKAGE_MAINTAINER "dockmend maintainers <maintainers@dockmend.invalid>"
    CACHE STRING "The Maintainer field of the Debian package")
set(CPACK_PACKAGE_CONTACT "${DOCKMEND_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${DOCKMEND_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # dockmend_0.1.0_amd64.deb
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
# Depends: the packages of the shared libraries the binary links (libyaml-cpp,
# libfmt, libboost-program-options, libmimalloc when linked, libstdc++, libc),
# found by dpkg-shlibdeps from the binary itself.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Inside a git work tree dockmend asks git for the file list (so .gitignore,
# .git/info/exclude and the global excludes apply); without git it walks the tree.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS git)
include(CPack)
