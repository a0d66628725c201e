# Writes the shell completion scripts from the built program (`dockmend
# completion SHELL`), at build time (cmake/install.cmake):
#   cmake -DDOCKMEND=bin -DOUT_DIR=dir -P completions.cmake
foreach(shell_file "bash;dockmend.bash" "zsh;_dockmend" "fish;dockmend.fish")
  list(GET shell_file 0 shell)
  list(GET shell_file 1 file)
  execute_process(COMMAND ${DOCKMEND} completion ${shell} OUTPUT_FILE ${OUT_DIR}/${file} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "completions.cmake: `dockmend completion ${shell}` exited ${rc}")
  endif()
endforeach()
