-- wrk: the write mix. Each connection receives a 2.000908 dossier at the counter and advances
-- it through every step to the result: receive → forward (counter) → forward (specialist) →
-- forward (leader) → issue (clerk, decided) → return_result: six durable transitions a dossier,
-- each with its own Idempotency-Key and the If-Match of the previous answer.
local token = os.getenv("MOTCUA_TOKEN")
local counter = 0
local thread_id = 0
local id, version, stage = nil, 0, 0
local steps = {
  '{"command":"act","action":"forward"}',
  '{"command":"act","action":"forward"}',
  '{"command":"act","action":"forward"}',
  '{"command":"act","action":"issue"}',
  '{"command":"return_result"}',
}
local create = '{"procedure_code":"2.000908","receiving_agency":"000.17.22.H56",' ..
  '"applicant":{"name":"Nguyễn Văn An","id_number":"001090012345"},' ..
  '"documents":[{"document_id":"identity_paper","count":1}]}'

setup = function(thread)
  thread:set("thread_id", math.random(1, 1000000000))
end

request = function()
  counter = counter + 1
  local key = thread_id .. "-" .. counter .. "-" .. math.random(1, 1000000000)
  local h = {["Authorization"] = "Bearer " .. token, ["Idempotency-Key"] = key,
             ["Content-Type"] = "application/json"}
  if id == nil or stage == 0 then
    return wrk.format("POST", "/v1/dossiers", h, create)
  end
  h["If-Match"] = '"' .. version .. '"'
  return wrk.format("POST", "/v1/dossiers/" .. id .. "/commands", h, steps[stage])
end

response = function(status, headers, body)
  if status ~= 200 and status ~= 201 then
    id, stage = nil, 0
    return
  end
  if stage == 0 then id = string.match(body, '"id":"([^"]+)"') end
  version = tonumber(string.match(body, '"version":(%d+)'))
  stage = stage + 1
  if stage > #steps then stage = 0 end
end

done = function(summary, latency, requests)
  io.write(string.format("non-2xx/3xx: %d\n", summary.errors.status))
end
