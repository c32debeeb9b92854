"""The official Python client (Debian's python3-kubernetes) against podnet.

Written the way the client's README and examples use it: load_kube_config,
CoreV1Api/AppsV1Api with model objects, patches chosen by the body's shape
(a list is a JSON patch, a dict a strategic merge patch) or _content_type,
watch.Watch().stream, the DynamicClient over discovery, and ApiException
carrying kube's Status. Run by python-client.e2e.test.ts:

    python3 python-client-suite.py KUBECONFIG NAMESPACE
"""
import json
import sys
import unittest
import uuid

from kubernetes import client, config, dynamic, watch
from kubernetes.client.rest import ApiException

KUBECONFIG, NS = sys.argv[1], sys.argv[2]
config.load_kube_config(config_file=KUBECONFIG)
core = client.CoreV1Api()
apps = client.AppsV1Api()


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:6])


def config_map(name, data, labels=None):
    return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels=labels), data=data)


def status_of(exc):
    """kube's Status from an ApiException's body."""
    return json.loads(exc.body)


class Crud(unittest.TestCase):
    def test_namespace_create_read_list_delete(self):
        name = unique("pyns")
        core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name, labels={"team": "py"})))
        self.assertEqual(core.read_namespace(name).status.phase, "Active")
        names = [n.metadata.name for n in core.list_namespace(label_selector="team=py").items]
        self.assertEqual(names, [name])
        core.delete_namespace(name)

    def test_configmap_replace_and_every_patch_type(self):
        name = unique("cm")
        core.create_namespaced_config_map(NS, config_map(name, {"a": "1"}))
        cm = core.read_namespaced_config_map(name, NS)
        cm.data = {"a": "2", "b": "x"}
        replaced = core.replace_namespaced_config_map(name, NS, cm)
        self.assertEqual(replaced.data, {"a": "2", "b": "x"})

        # A dict body is sent as a strategic merge patch.
        smp = core.patch_namespaced_config_map(name, NS, {"metadata": {"labels": {"via": "smp"}}, "data": {"c": "smp"}})
        self.assertEqual(smp.data, {"a": "2", "b": "x", "c": "smp"})
        self.assertEqual(smp.metadata.labels, {"via": "smp"})

        # A list body is sent as a JSON patch.
        jp = core.patch_namespaced_config_map(
            name,
            NS,
            [{"op": "replace", "path": "/data/a", "value": "3"}, {"op": "remove", "path": "/data/b"}],
        )
        self.assertEqual(jp.data, {"a": "3", "c": "smp"})

        # CoreV1Api 22.x picks the patch type from the body; a merge patch goes through the DynamicClient.
        dyn = dynamic.DynamicClient(client.ApiClient())
        merged = dyn.patch(
            dyn.resources.get(api_version="v1", kind="ConfigMap"), {"data": {"c": None, "d": "merge"}},
            name=name, namespace=NS, content_type="application/merge-patch+json",
        )
        self.assertEqual(merged.to_dict()["data"], {"a": "3", "d": "merge"})

        status = core.delete_namespaced_config_map(name, NS)
        self.assertEqual(status.status, "Success")
        with self.assertRaises(ApiException) as err:
            core.read_namespaced_config_map(name, NS)
        self.assertEqual(err.exception.status, 404)

    def test_server_side_apply(self):
        # The DynamicClient's server_side_apply; 22.x sends only a string body as apply-patch+yaml.
        dyn = dynamic.DynamicClient(client.ApiClient())
        cms = dyn.resources.get(api_version="v1", kind="ConfigMap")
        name = unique("ssa")

        def manifest(owner):
            return json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                               "data": {"owner": owner}})

        first = dyn.server_side_apply(cms, body=manifest("first"), name=name, namespace=NS, field_manager="first")
        self.assertEqual(first.data.owner, "first")
        self.assertEqual([f.manager for f in first.metadata.managedFields], ["first"])
        with self.assertRaises(dynamic.exceptions.ConflictError) as err:
            dyn.server_side_apply(cms, body=manifest("second"), name=name, namespace=NS, field_manager="second")
        self.assertEqual(err.exception.status, 409)
        self.assertEqual(status_of(err.exception)["reason"], "Conflict")
        forced = dyn.server_side_apply(cms, body=manifest("second"), name=name, namespace=NS,
                                       field_manager="second", force_conflicts=True)
        self.assertEqual(forced.data.owner, "second")
        core.delete_namespaced_config_map(name, NS)

    def test_pods_selectors_and_delete(self):
        label = unique("sel")
        names = []
        for tier in ("front", "back"):
            name = unique("pod")
            names.append(name)
            core.create_namespaced_pod(NS, client.V1Pod(
                metadata=client.V1ObjectMeta(name=name, labels={"app": label, "tier": tier}),
                spec=client.V1PodSpec(
                    node_name="no-such-node",
                    containers=[client.V1Container(name="web", image="podnet/agnhost", args=["netexec"])],
                ),
            ))
        front = core.list_namespaced_pod(NS, label_selector="app=%s,tier!=back" % label)
        self.assertEqual([p.metadata.name for p in front.items], names[:1])
        by_field = core.list_namespaced_pod(NS, field_selector="metadata.name=%s" % names[1])
        self.assertEqual([p.metadata.name for p in by_field.items], names[1:])
        everywhere = core.list_pod_for_all_namespaces(label_selector="app=%s" % label)
        self.assertEqual(sorted(p.metadata.name for p in everywhere.items), sorted(names))
        for name in names:
            deleted = core.delete_namespaced_pod(name, NS, grace_period_seconds=0)
            self.assertEqual(deleted.metadata.name, name)

    def test_service(self):
        name = unique("svc")
        svc = core.create_namespaced_service(NS, client.V1Service(
            metadata=client.V1ObjectMeta(name=name),
            spec=client.V1ServiceSpec(selector={"app": name}, ports=[client.V1ServicePort(name="http", port=80)]),
        ))
        self.assertTrue(svc.spec.cluster_ip.startswith("10."), svc.spec.cluster_ip)
        self.assertEqual(svc.spec.ports[0].target_port, 80)
        patched = core.patch_namespaced_service(name, NS, {"spec": {"ports": [{"name": "metrics", "port": 9090}]}})
        self.assertEqual(sorted(p.port for p in patched.spec.ports), [80, 9090])
        core.delete_namespaced_service(name, NS)

    def test_deployment(self):
        name = unique("dep")
        labels = {"app": name}
        dep = client.V1Deployment(
            metadata=client.V1ObjectMeta(name=name),
            spec=client.V1DeploymentSpec(
                replicas=1,
                selector=client.V1LabelSelector(match_labels=labels),
                template=client.V1PodTemplateSpec(
                    metadata=client.V1ObjectMeta(labels=labels),
                    spec=client.V1PodSpec(containers=[client.V1Container(name="web", image="podnet/agnhost")]),
                ),
            ),
        )
        created = apps.create_namespaced_deployment(NS, dep)
        self.assertEqual(created.spec.strategy.type, "RollingUpdate")
        apps.patch_namespaced_deployment_scale(name, NS, {"spec": {"replicas": 2}})
        self.assertEqual(apps.read_namespaced_deployment_scale(name, NS).spec.replicas, 2)
        # The controller writes status meanwhile: read-modify-replace retries on conflict, as clients do.
        for attempt in range(10):
            current = apps.read_namespaced_deployment(name, NS)
            current.spec.template.metadata.annotations = {"revision": "two"}
            try:
                replaced = apps.replace_namespaced_deployment(name, NS, current)
                break
            except ApiException as e:
                if e.status != 409 or attempt == 9:
                    raise
        self.assertEqual(replaced.spec.template.metadata.annotations, {"revision": "two"})
        apps.delete_namespaced_deployment(name, NS, propagation_policy="Foreground")


class ListsAndWatches(unittest.TestCase):
    def test_limit_and_continue(self):
        label = unique("page")
        for i in range(5):
            core.create_namespaced_config_map(NS, config_map("%s-%d" % (label, i), {"i": str(i)}, {"page": label}))
        seen, pages, token = [], 0, None
        while True:
            page = core.list_namespaced_config_map(NS, label_selector="page=" + label, limit=2, _continue=token)
            pages += 1
            seen += [c.metadata.name for c in page.items]
            token = page.metadata._continue
            if not token:
                break
        self.assertEqual(pages, 3)
        self.assertEqual(sorted(seen), ["%s-%d" % (label, i) for i in range(5)])
        core.delete_collection_namespaced_config_map(NS, label_selector="page=" + label)
        self.assertEqual(core.list_namespaced_config_map(NS, label_selector="page=" + label).items, [])

    def test_watch_stream_from_resource_version(self):
        label = unique("w")
        rv = core.list_namespaced_config_map(NS).metadata.resource_version
        name = unique("wcm")
        core.create_namespaced_config_map(NS, config_map(name, {"v": "1"}, {"w": label}))
        core.patch_namespaced_config_map(name, NS, {"data": {"v": "2"}})
        core.delete_namespaced_config_map(name, NS)
        events = []
        w = watch.Watch()
        for event in w.stream(core.list_namespaced_config_map, NS, label_selector="w=" + label,
                              resource_version=rv, timeout_seconds=30):
            events.append((event["type"], event["object"].metadata.name, event["object"].data))
            if len(events) == 3:
                w.stop()
        self.assertEqual(events, [
            ("ADDED", name, {"v": "1"}),
            ("MODIFIED", name, {"v": "2"}),
            ("DELETED", name, {"v": "2"}),
        ])

    def test_watch_ends_at_timeout_seconds(self):
        events = list(watch.Watch().stream(core.list_namespaced_config_map, NS,
                                           label_selector="none=" + unique("x"), timeout_seconds=1))
        self.assertEqual(events, [])


class Dynamic(unittest.TestCase):
    def test_dynamic_client_over_discovery(self):
        dyn = dynamic.DynamicClient(client.ApiClient())
        cms = dyn.resources.get(api_version="v1", kind="ConfigMap")
        name = unique("dyn")
        dyn_created = cms.create(body={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                                       "data": {"k": "v"}}, namespace=NS)
        self.assertEqual(dyn_created.data.k, "v")
        got = cms.get(name=name, namespace=NS)
        self.assertEqual(got.metadata.name, name)
        deployments = dyn.resources.get(api_version="apps/v1", kind="Deployment")
        self.assertTrue(deployments.namespaced)
        cms.delete(name=name, namespace=NS)


class Errors(unittest.TestCase):
    def test_not_found(self):
        name = unique("missing")
        with self.assertRaises(ApiException) as err:
            core.read_namespaced_config_map(name, NS)
        self.assertEqual(err.exception.status, 404)
        status = status_of(err.exception)
        self.assertEqual(status["reason"], "NotFound")
        self.assertEqual(status["message"], 'configmaps "%s" not found' % name)

    def test_already_exists_and_stale_update(self):
        name = unique("dup")
        created = core.create_namespaced_config_map(NS, config_map(name, {"a": "1"}))
        with self.assertRaises(ApiException) as err:
            core.create_namespaced_config_map(NS, config_map(name, {"a": "1"}))
        self.assertEqual(err.exception.status, 409)
        self.assertEqual(status_of(err.exception)["reason"], "AlreadyExists")
        core.patch_namespaced_config_map(name, NS, {"data": {"a": "2"}})
        created.data = {"a": "3"}
        with self.assertRaises(ApiException) as err:
            core.replace_namespaced_config_map(name, NS, created)
        self.assertEqual(err.exception.status, 409)
        self.assertEqual(status_of(err.exception)["reason"], "Conflict")

    def test_invalid(self):
        with self.assertRaises(ApiException) as err:
            core.create_namespaced_service(NS, client.V1Service(
                metadata=client.V1ObjectMeta(name=unique("bad")),
                spec=client.V1ServiceSpec(ports=[client.V1ServicePort(port=70000)]),
            ))
        self.assertEqual(err.exception.status, 422)
        status = status_of(err.exception)
        self.assertEqual(status["reason"], "Invalid")
        self.assertIn("spec.ports[0].port", [c["field"] for c in status["details"]["causes"]])


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
