// The load tool's library in one include: its HTTP client, the job reader, the options, the results and the runner.
#pragma once

#include <roambi/jobs/bench/http_client.hpp>
#include <roambi/jobs/bench/http_response.hpp>
#include <roambi/jobs/bench/job_seen.hpp>
#include <roambi/jobs/bench/load_options.hpp>
#include <roambi/jobs/bench/load_runner.hpp>
#include <roambi/jobs/bench/load_stats.hpp>
#include <roambi/jobs/bench/target.hpp>
