# cmake -P check.cmake: install the build tree into a fresh prefix, build examples/out-of-tree
# against it as a user would (find_package(portlab)), and with pkg-config (portlab.pc), then
# run the programs (bulk-send-min must deliver all of BulkSend's bytes). Variables: BUILD_DIR,
# WORK_DIR, SOURCE_DIR, CXX, LAUNCHER (may be empty), PKG_CONFIG (may be empty: that part is
# skipped).

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

set(args -S ${SOURCE_DIR} -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${prefix}
         -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=${CXX})
if(LAUNCHER)
  list(APPEND args -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
endif()
run(${CMAKE_COMMAND} ${args})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/tcp-udp-same-port --port=7000)
message("find_package(portlab): ${out}")
run(${WORK_DIR}/build/bulk-send-min --bytes=250000)
if(NOT out MATCHES "received 250000 bytes")
  message(FATAL_ERROR "bulk-send-min: PacketSink did not receive BulkSend's 250000 bytes:\n${out}")
endif()
message("find_package(portlab): bulk-send-min: ${out}")

if(PKG_CONFIG)
  set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
  run(${PKG_CONFIG} --cflags --libs portlab)
  separate_arguments(flags UNIX_COMMAND "${out}")
  run(${LAUNCHER} ${CXX} -std=c++17 -O1 ${SOURCE_DIR}/../tcp-udp-same-port.cc ${flags}
      -Wl,-rpath,${prefix}/lib -o ${WORK_DIR}/tcp-udp-same-port-pc)
  run(${WORK_DIR}/tcp-udp-same-port-pc --port=7001)
  message("pkg-config portlab: ${out}")
endif()
