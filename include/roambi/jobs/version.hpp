// Version of the roambi-jobs toolkit (not of the API: see endpoints.hpp kApiVersion).
#pragma once

#define ROAMBI_JOBS_VERSION_MAJOR 0
#define ROAMBI_JOBS_VERSION_MINOR 1
#define ROAMBI_JOBS_VERSION_PATCH 0

namespace roambi::jobs {
inline constexpr const char* kToolkitVersion = "0.1.0";
}  // namespace roambi::jobs
