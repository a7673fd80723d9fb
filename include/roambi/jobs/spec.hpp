// Umbrella header of the Jobs API spec model: everything the fake, the suite and the benchmarks read.
#pragma once

#include <roambi/jobs/decisions.hpp>
#include <roambi/jobs/docs.hpp>
#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/errors.hpp>
#include <roambi/jobs/job.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/profile_json.hpp>
#include <roambi/jobs/rate_window.hpp>
#include <roambi/jobs/submit.hpp>
#include <roambi/jobs/validate.hpp>
#include <roambi/jobs/version.hpp>
#include <roambi/jobs/violation.hpp>
