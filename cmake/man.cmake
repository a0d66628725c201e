# Writes the man page dockmend.1 from the program's own help, with help2man:
# `dockmend --help` gives the description and the command list, and
# `dockmend help COMMAND` for each listed command gives a COMMANDS section, so
# the page says what the binary says. Run at build time (CMakeLists.txt):
#   cmake -DDOCKMEND=bin -DHELP2MAN=help2man -DOUT=dockmend.1 -P man.cmake
foreach(v DOCKMEND HELP2MAN OUT)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "man.cmake: -D${v}=... is required")
  endif()
endforeach()

function(run_dockmend out)
  execute_process(COMMAND ${DOCKMEND} ${ARGN} OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "man.cmake: `dockmend ${ARGN}` exited ${rc}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# Text shown as is (no filling) in roff: backslashes and leading dots escaped.
function(roff_literal out text)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} ".nf\n${text}.fi\n" PARENT_SCOPE)
endfunction()

run_dockmend(top --help)
string(REGEX MATCH "\ncommands:\n(([^\n]+\n)+)" _ "${top}")
set(listing "${CMAKE_MATCH_1}")
string(REPLACE "\n" ";" lines "${listing}")
set(names "")
foreach(line IN LISTS lines)
  if(line MATCHES "^  ([a-z]+)  ")
    list(APPEND names "${CMAKE_MATCH_1}")
  endif()
endforeach()
if(NOT names)
  message(FATAL_ERROR "man.cmake: no commands in `dockmend --help`")
endif()

set(include "[COMMANDS]\n")
foreach(name IN LISTS names)
  if(name STREQUAL "help")
    continue()
  elseif(name STREQUAL "completion")
    run_dockmend(text completion --help)
  else()
    run_dockmend(text help ${name})
  endif()
  roff_literal(body "${text}")
  string(APPEND include ".SS ${name}\n${body}")
endforeach()
string(APPEND include "
[FILES]
.TP
.I dockmend.yaml
The policy: the nearest one in the current directory or a parent (\\fB\\-\\-policy\\fR names
another). Without one, the built-in default policy applies (\\fBdockmend policy \\-\\-default\\fR).

[EXIT STATUS]
0 when all is well; 1 when \\fBcheck\\fR finds something, \\fBdiff\\fR would change a file or
\\fBaudit\\fR scores under \\fB\\-\\-fail\\-under\\fR; 2 on errors (usage, unreadable or invalid files).

[SEE ALSO]
The documentation installed with dockmend (share/doc/dockmend: README.md, CHANGELOG.md, docs/),
and shell completions from \\fBdockmend completion bash|zsh|fish\\fR.
")
file(WRITE "${OUT}.include" "${include}")

# help2man takes the SYNOPSIS from a line "Usage: ..."; dockmend writes
# "usage:", so it runs dockmend through a wrapper (named dockmend, for the NAME
# section) that capitalises that one word.
get_filename_component(out_dir "${OUT}" DIRECTORY)
set(wrapper_dir "${out_dir}/help2man-wrapper")
file(MAKE_DIRECTORY "${wrapper_dir}")
file(WRITE "${wrapper_dir}/dockmend" "#!/bin/sh\n'${DOCKMEND}' \"$@\" | sed '1s/^usage:/Usage:/'\n")
file(CHMOD "${wrapper_dir}/dockmend" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
     WORLD_READ WORLD_EXECUTE)
execute_process(
  COMMAND ${HELP2MAN} --no-info --no-discard-stderr
          --name=audit\ and\ fix\ Dockerfiles\ against\ a\ policy
          --include=${OUT}.include --output=${OUT} ${wrapper_dir}/dockmend
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "man.cmake: help2man exited ${rc}")
endif()
