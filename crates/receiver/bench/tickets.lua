-- wrk script: POSTs a valid P1 ticket with a fresh Idempotency-Key (UUID v4) on every request and
-- counts the answers by status, so the number of 201s can be checked against the rows stored.
--   wrk -t2 -c32 -d20s --latency -s crates/receiver/bench/tickets.lua http://127.0.0.1:PORT

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

local body = [[{"policy":{"id":"priority-p1-p4","version":"2026-11-23"},"plan":"business-plus","severity":"P1",]] ..
  [["answers":[{"question":"situation","answer":"service_down"}],"reasons":["O serviço está fora do ar"],]] ..
  [["due":{"first_response":{"due":"2026-11-23T12:30:00-03:00"},"resolution":{"due":"2026-11-23T16:00:00-03:00"}},]] ..
  [["contact":{"name":"Ana Souza","email":"ana@example.com.br"},"subject":"Painel fora do ar",]] ..
  [["description":"Desde as 11h ninguém consegue entrar no painel.","page_url":"https://shop.example/app",]] ..
  [["locale":"pt-BR","time_zone":"America/Sao_Paulo","created_at":"2026-11-23T11:59:30-03:00","fill_ms":45000}]]

function init(args)
  counter = 0
  created, replayed, limited, other = 0, 0, 0, 0
  math.randomseed(os.time() * 1000 + thread_id)
  prefix = string.format("%08x-%04x-4%03x-%x%03x-%04x",
    math.random(0, 0x7fffffff), math.random(0, 0xffff), math.random(0, 0xfff),
    8 + math.random(0, 3), math.random(0, 0xfff), thread_id)
end

function request()
  counter = counter + 1
  -- Unique per thread and request: the thread id and a counter end the key.
  local key = string.format("%s%08x", prefix, counter)
  return wrk.format("POST", "/api/tickets",
    { ["Content-Type"] = "application/json", ["Idempotency-Key"] = key }, body)
end

function response(status, headers, body)
  if status == 201 then created = created + 1
  elseif status == 200 then replayed = replayed + 1
  elseif status == 429 then limited = limited + 1
  else
    other = other + 1
    if other <= 3 then io.stderr:write("unexpected ", status, ": ", body, "\n") end
  end
end

function done(summary, latency, requests)
  local c, r, l, o = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created"); r = r + t:get("replayed"); l = l + t:get("limited"); o = o + t:get("other")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("responses: 201=%d 200=%d 429=%d other=%d\n", c, r, l, o))
  io.write(string.format("tickets/s (201 only): %.0f\n", c / seconds))
  io.write(string.format("latency p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
