# The README's examples: each is a file that is built and run, and the README must quote it exactly.
add_executable(readme_model_example ${PROJECT_SOURCE_DIR}/examples/model/parse_a_job.cpp)
target_link_libraries(readme_model_example PRIVATE roambi::jobs_spec)
add_test(NAME readme.model_example COMMAND readme_model_example)
roambi_jobs_add_test(readme_test readme_test.cpp)
