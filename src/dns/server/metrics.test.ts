import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DnsMetrics, Plugin } from './metrics.js';

test("CoreDNS's metric names and labels", () => {
  const m = new DnsMetrics();
  m.server = 'dns://10.250.1.11:53';
  m.request('udp', 1);
  m.request('udp', 1);
  m.request('tcp', 33);
  m.request('udp', 99); // not a type CoreDNS names
  m.response(0, 0.0001, 1, Plugin.kubernetes);
  m.response(3, 0.003, 1, Plugin.cache);
  m.response(2, 2, 99, Plugin.forward);
  m.cacheLookup('success');
  m.cacheLookup(undefined);
  m.upstream('192.0.2.53:53', 0, 0.02);
  m.forwardBroken = 1;
  const text = m.render(true, 7, { success: 3, denial: 1 });
  const s = 'server="dns://10.250.1.11:53",zone=".",view=""';
  for (const line of [
    `coredns_dns_requests_total{${s},proto="udp",family="1",type="A"} 2`,
    `coredns_dns_requests_total{${s},proto="tcp",family="1",type="SRV"} 1`,
    `coredns_dns_requests_total{${s},proto="udp",family="1",type="other"} 1`,
    `coredns_dns_responses_total{${s},rcode="NOERROR",plugin="kubernetes"} 1`,
    `coredns_dns_responses_total{${s},rcode="NXDOMAIN",plugin="cache"} 1`,
    `coredns_dns_responses_total{${s},rcode="SERVFAIL",plugin="forward"} 1`,
    `coredns_dns_request_duration_seconds_bucket{${s},type="A",le="0.00025"} 1`,
    `coredns_dns_request_duration_seconds_bucket{${s},type="A",le="0.004"} 2`,
    `coredns_dns_request_duration_seconds_bucket{${s},type="A",le="8.192"} 2`,
    `coredns_dns_request_duration_seconds_bucket{${s},type="other",le="1.024"} 0`,
    `coredns_dns_request_duration_seconds_bucket{${s},type="other",le="+Inf"} 1`,
    `coredns_dns_request_duration_seconds_count{${s},type="A"} 2`,
    'coredns_cache_entries{server="dns://10.250.1.11:53",zones=".",type="success"} 3',
    'coredns_cache_entries{server="dns://10.250.1.11:53",zones=".",type="denial"} 1',
    'coredns_cache_requests_total{server="dns://10.250.1.11:53",zones="."} 2',
    'coredns_cache_hits_total{server="dns://10.250.1.11:53",zones=".",type="success"} 1',
    'coredns_cache_misses_total{server="dns://10.250.1.11:53",zones="."} 1',
    'coredns_proxy_request_duration_seconds_count{proxy_name="forward",to="192.0.2.53:53",rcode="NOERROR"} 1',
    'coredns_forward_requests_total{to="192.0.2.53:53"} 1',
    'coredns_forward_responses_total{to="192.0.2.53:53",rcode="NOERROR"} 1',
    'coredns_forward_healthcheck_broken_total 1',
    'podnet_dns_ready 1',
    'podnet_dns_zone_services 7',
  ])
    assert.ok(text.split('\n').includes(line), `missing: ${line}`);
  assert.match(text, /^# TYPE coredns_dns_request_duration_seconds histogram$/m);
  assert.match(text, /^process_cpu_seconds_total \d/m);
});
