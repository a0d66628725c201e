# What `cmake --install build --prefix P` (and the Debian package) installs:
#   bin/dockmend
#   share/man/man1/dockmend.1                  generated from the help by help2man (.gz under /usr)
#   share/bash-completion/completions/dockmend  `dockmend completion bash`
#   share/zsh/site-functions/_dockmend          (share/zsh/vendor-completions under /usr, Debian's place)
#   share/fish/vendor_completions.d/dockmend.fish
#   share/doc/dockmend/                        README.md, CHANGELOG.md, docs/
include(GNUInstallDirs)

install(TARGETS dockmend RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Completions and the man page come from the program just built, so they say
# what it does (tests/release/ checks every command and option is in them).
set(DOCKMEND_GENERATED ${CMAKE_BINARY_DIR}/generated)
file(MAKE_DIRECTORY ${DOCKMEND_GENERATED})
set(completion_files ${DOCKMEND_GENERATED}/dockmend.bash ${DOCKMEND_GENERATED}/_dockmend
                     ${DOCKMEND_GENERATED}/dockmend.fish)
add_custom_command(
  OUTPUT ${completion_files}
  COMMAND ${CMAKE_COMMAND} -DDOCKMEND=$<TARGET_FILE:dockmend> -DOUT_DIR=${DOCKMEND_GENERATED}
          -P ${PROJECT_SOURCE_DIR}/cmake/completions.cmake
  DEPENDS dockmend ${PROJECT_SOURCE_DIR}/cmake/completions.cmake
  COMMENT "Shell completions from dockmend completion bash|zsh|fish")
add_custom_target(dockmend_completions ALL DEPENDS ${completion_files})

install(FILES ${DOCKMEND_GENERATED}/dockmend.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME dockmend)
install(FILES ${DOCKMEND_GENERATED}/dockmend.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
# zsh looks in $prefix/share/zsh/site-functions, but Debian's zsh does not look
# in /usr/share/zsh/site-functions: packages put theirs in vendor-completions.
# Decided at install time, so that CPack (prefix /usr) gets Debian's directory.
install(CODE "
  if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
    set(dockmend_zsh_dir \"${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions\")
  else()
    set(dockmend_zsh_dir \"${CMAKE_INSTALL_DATADIR}/zsh/site-functions\")
  endif()
  file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/\${dockmend_zsh_dir}\" TYPE FILE
       FILES \"${DOCKMEND_GENERATED}/_dockmend\")
")

# The man page needs help2man (Debian's help2man package; scripts/deps installs it).
option(DOCKMEND_REQUIRE_MAN "Fail when help2man is missing, rather than build no man page" OFF)
find_program(HELP2MAN_EXECUTABLE help2man)
if(NOT HELP2MAN_EXECUTABLE AND DOCKMEND_REQUIRE_MAN)
  message(FATAL_ERROR "dockmend: help2man not found (Debian: apt-get install help2man), "
                      "and DOCKMEND_REQUIRE_MAN is on")
endif()
if(HELP2MAN_EXECUTABLE)
  add_custom_command(
    OUTPUT ${DOCKMEND_GENERATED}/dockmend.1
    COMMAND ${CMAKE_COMMAND} -DDOCKMEND=$<TARGET_FILE:dockmend> -DHELP2MAN=${HELP2MAN_EXECUTABLE}
            -DOUT=${DOCKMEND_GENERATED}/dockmend.1
            -P ${PROJECT_SOURCE_DIR}/cmake/man.cmake
    DEPENDS dockmend ${PROJECT_SOURCE_DIR}/cmake/man.cmake
    COMMENT "Man page dockmend.1 from the help, with help2man")
  add_custom_target(dockmend_man ALL DEPENDS ${DOCKMEND_GENERATED}/dockmend.1)
  # Under /usr (the Debian package) compressed as Debian's policy has it (gzip -9n).
  install(CODE "
    set(dockmend_man \"${DOCKMEND_GENERATED}/dockmend.1\")
    if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
      execute_process(COMMAND gzip -9n -c \"\${dockmend_man}\" OUTPUT_FILE \"\${dockmend_man}.gz\" RESULT_VARIABLE rc)
      if(NOT rc EQUAL 0)
        message(FATAL_ERROR \"gzip -9n dockmend.1 failed\")
      endif()
      set(dockmend_man \"\${dockmend_man}.gz\")
    endif()
    file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_MANDIR}/man1\" TYPE FILE FILES \"\${dockmend_man}\")
  ")
else()
  message(WARNING "dockmend: help2man not found (Debian: apt-get install help2man): "
                  "the man page dockmend.1 is not built, and not installed")
endif()

install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/CHANGELOG.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
