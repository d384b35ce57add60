-- wrk: GET one dossier, cycling through the ids prepared by run.sh. The requests are formatted
-- once at start-up so that wrk's per-request Lua work (which shares the two cores with the
-- server) stays small: formatting each request in Lua cost wrk ~20 µs of CPU per request.
local reqs = {}
local n = 0
local i = 0
init = function(args)
  local token = os.getenv("MOTCUA_TOKEN")
  for line in io.lines(os.getenv("MOTCUA_IDS")) do
    n = n + 1
    reqs[n] = wrk.format("GET", "/v1/dossiers/" .. line, {["Authorization"] = "Bearer " .. token})
  end
  i = math.random(n) - 1
end
request = function()
  i = i % n + 1
  return reqs[i]
end
