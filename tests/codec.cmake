# Tests of the fast codecs (codec/): the JSON reader held to nlohmann::json on generated and mutated documents.
roambi_jobs_add_test(codec_json_scan_test ${CMAKE_CURRENT_LIST_DIR}/codec_json_scan_test.cpp)
target_link_libraries(codec_json_scan_test PRIVATE roambi::codec)
