# The Docker engine as a ctest fixture, for the integration/docker-* tests. Include it from
# tests/CMakeLists.txt after the integration tests' loop (it reads integration_tests):
#   include(docker/docker.cmake)
# docker/setup makes the engine and the images once (tests/docker/env.sh up); the docker
# tests then only check that they stand; docker/cleanup stops the dockerd that setup started.
# Without this file each docker test runs 'env.sh up' itself, and stops the dockerd it started.
set(docker_env ${CMAKE_CURRENT_LIST_DIR}/env.sh)
set(docker_state "SEAR_DOCKER_DIR=${CMAKE_CURRENT_BINARY_DIR}/docker")

add_test(NAME docker/setup COMMAND bash ${docker_env} up)
set_tests_properties(docker/setup PROPERTIES
  FIXTURES_SETUP docker
  ENVIRONMENT "${docker_state};SOURCE_DIR=${CMAKE_SOURCE_DIR}"
  SKIP_RETURN_CODE 77
  # Cold: packages, debootstrap and three image builds, about a minute here.
  TIMEOUT 1200
  RUN_SERIAL TRUE)

add_test(NAME docker/cleanup COMMAND bash ${docker_env} down)
set_tests_properties(docker/cleanup PROPERTIES
  FIXTURES_CLEANUP docker
  ENVIRONMENT "${docker_state}"
  TIMEOUT 60
  RUN_SERIAL TRUE)

foreach(script ${integration_tests})
  get_filename_component(name ${script} NAME_WE)
  if(name MATCHES "^docker-")
    set_property(TEST integration/${name} APPEND PROPERTY
      ENVIRONMENT "${docker_state};SEAR_DOCKER_FIXTURE=1")
    set_property(TEST integration/${name} PROPERTY FIXTURES_REQUIRED docker)
  endif()
endforeach()
