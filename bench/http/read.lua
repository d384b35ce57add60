-- wrk: GET one dossier, picked at random from the ids prepared by run.sh.
local ids = {}
for line in io.lines(os.getenv("MOTCUA_IDS")) do ids[#ids + 1] = line end
local token = os.getenv("MOTCUA_TOKEN")
request = function()
  local id = ids[math.random(#ids)]
  return wrk.format("GET", "/v1/dossiers/" .. id, {["Authorization"] = "Bearer " .. token})
end
