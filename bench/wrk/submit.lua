-- wrk script: Submit Job with a JSON body, a bearer token and a title no other request of the run uses.
-- Usage: wrk -s bench/wrk/submit.lua http://127.0.0.1:PORT   (env: ROAMBI_TOKEN, ROAMBI_ACCOUNT, ROAMBI_RUN)
local token = os.getenv("ROAMBI_TOKEN") or "token-demo"
local account = os.getenv("ROAMBI_ACCOUNT") or "acct-demo"
local run = os.getenv("ROAMBI_RUN") or tostring(os.time())
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.path = "/1/accounts/" .. account .. "/files/analytics"
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local body = '{"title":"wrk-' .. run .. '-' .. thread_id .. '-' .. counter ..
               '","template_uid":"tpl-sales","source_file_uid":"src-sales","folder_uid":"fld-reports","overwrite":true}'
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    e.status, e.connect, e.read, e.write, e.timeout))
end
