#!/usr/bin/env python3
"""
Generates messages.ts: the protobuf layout of every message podnet decodes,
read from the Go types of k8s.io/api v0.32.13 and apimachinery meta/v1
(their `protobuf:"..."` and `json:"..."` struct tags).

Usage: gen-messages.py DIR_WITH_GO_FILES > messages.ts
DIR holds core_v1_types.go, networking_v1_types.go, discovery_v1_types.go,
coordination_v1_types.go, apps_v1_types.go, autoscaling_v1_types.go,
meta_v1_types.go (each package's types.go).
"""
import re, sys

SRC = sys.argv[1] if len(sys.argv) > 1 else '/tmp/k8sapi'
PKG = {
    'core': ('core_v1_types.go', 'io.k8s.api.core.v1.'),
    'networking': ('networking_v1_types.go', 'io.k8s.api.networking.v1.'),
    'discovery': ('discovery_v1_types.go', 'io.k8s.api.discovery.v1.'),
    'coordination': ('coordination_v1_types.go', 'io.k8s.api.coordination.v1.'),
    'apps': ('apps_v1_types.go', 'io.k8s.api.apps.v1.'),
    'autoscaling': ('autoscaling_v1_types.go', 'io.k8s.api.autoscaling.v1.'),
    'meta': ('meta_v1_types.go', 'io.k8s.apimachinery.pkg.apis.meta.v1.'),
}
# Import aliases used in each package for the other packages.
IMPORTS = {'metav1': 'meta', 'v1': 'core'}

structs, aliases = {}, {}
for pkg, (fn, _) in PKG.items():
    text = re.sub(r'/\*.*?\*/', '', open(SRC + '/' + fn).read(), flags=re.S)
    lines = text.split('\n')
    i = 0
    while i < len(lines):
        m = re.match(r'^type (\w+) struct \{', lines[i])
        if m:
            fields = []
            i += 1
            while not lines[i].startswith('}'):
                fl = lines[i].strip()
                if fl and not fl.startswith('//'):
                    fm = re.match(r'^(\w+)\s+([^`]+?)\s*`(.*)`', fl)
                    em = re.match(r'^([\w.]+)\s*`(.*)`', fl)
                    if fm: fields.append((fm.group(1), fm.group(2).strip(), fm.group(3)))
                    elif em: fields.append((None, em.group(1), em.group(2)))
                    else: raise Exception('unparsed field in %s.%s: %s' % (pkg, m.group(1), fl))
                i += 1
            structs[(pkg, m.group(1))] = fields
        else:
            m = re.match(r'^type (\w+) ([^{(]+)$', lines[i])
            if m and not m.group(2).startswith(('struct', 'interface')):
                aliases[(pkg, m.group(1))] = m.group(2).strip()
        i += 1

def tag(t, key):
    m = re.search(key + r':"([^"]*)"', t)
    return m.group(1) if m else None

SPECIAL = {
    'Time': 'time', 'MicroTime': 'microtime', 'FieldsV1': 'fieldsv1',
}
order, seen = [], set()

def msg(pkg, name):
    if (pkg, name) not in seen:
        seen.add((pkg, name)); order.append((pkg, name))
    return PKG[pkg][1] + name

def elem(pkg, t):
    """Go element type -> wire type name used by the decoder."""
    if '.' in t:
        q, n = t.split('.', 1)
        if q == 'resource' and n == 'Quantity': return 'quantity'
        if q == 'intstr' and n == 'IntOrString': return 'intstr'
        if q == 'types' and n == 'UID': return 'string'
        if q == 'runtime' and n == 'RawExtension': return 'rawext'
        if q in IMPORTS: return elem(IMPORTS[q], n)
        raise Exception('unknown qualified type ' + t)
    if t in ('string',): return 'string'
    if t in ('int32', 'int64', 'bool'): return t
    if t == 'float64': return 'double'
    if pkg == 'meta' and t in SPECIAL: return SPECIAL[t]
    if pkg == 'meta' and t == 'Duration': raise Exception('metav1.Duration is not supported')
    if (pkg, t) in structs: return '@' + msg(pkg, t)
    if (pkg, t) in aliases:
        a = aliases[(pkg, t)]
        if a.startswith(('[]', 'map[')): raise Exception('alias to a collection used as element: ' + t)
        return elem(pkg, a)
    raise Exception('unknown type %s in %s' % (t, pkg))

def field(pkg, gotype):
    """-> (wireType, flags) for a Go field type."""
    flags = ''
    t = gotype
    if t.startswith('*'): flags += 'p'; t = t[1:]
    # Resolve named collections (ResourceList, ...).
    while (pkg, t) in aliases and aliases[(pkg, t)].startswith(('[]', 'map[')): t = aliases[(pkg, t)]
    if '.' in t and t.split('.', 1)[0] in IMPORTS:
        q, n = t.split('.', 1)
        p2 = IMPORTS[q]
        if (p2, n) in aliases and aliases[(p2, n)].startswith(('[]', 'map[')):
            return field(p2, ('*' if 'p' in flags else '') + aliases[(p2, n)])
    if t == '[]byte': return 'bytes', flags
    m = re.match(r'^map\[(\w+)\](.+)$', t)
    if m:
        if m.group(2) == '[]byte': return 'bytes', flags + 'm'
        return elem(pkg, m.group(2)), flags + 'm'
    if t.startswith('[]'):
        if t[2:].startswith('[]') and t[2:] != '[]byte': raise Exception('nested slice ' + gotype)
        return elem(pkg, t[2:]), flags + 'r'
    return elem(pkg, t), flags

def fields_of(pkg, name):
    out = []
    for goname, gotype, tg in structs[(pkg, name)]:
        pb = tag(tg, 'protobuf')
        if pb is None: continue  # TypeMeta: carried by runtime.Unknown, not the message
        num = int(pb.split(',')[1])
        js = (tag(tg, 'json') or '').split(',')
        jname = js[0]
        if jname == '-':
            jname = '-'  # FieldsV1.Raw: its own JSON form, handled by the decoder
        inline = 'inline' in js[1:] or (goname is None and jname == '')
        wt, flags = field(pkg, gotype)
        if inline: flags += 'i'; jname = ''
        if 'omitempty' in js[1:]: flags += 'o'
        out.append((num, jname, wt, flags))
    return out

ROOTS = {
    'core': ['Namespace', 'Pod', 'Service', 'Endpoints', 'Node', 'ConfigMap', 'Secret', 'Event', 'ServiceAccount', 'Binding'],
    'discovery': ['EndpointSlice'],
    'networking': ['Ingress', 'IngressClass', 'NetworkPolicy'],
    'coordination': ['Lease'],
    'apps': ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'ControllerRevision'],
    'autoscaling': ['Scale'],
    'meta': ['DeleteOptions', 'Status'],
}
# Kinds served only as a subresource's body, without a list.
NO_LIST = {'Binding', 'Scale'}
for p, names in ROOTS.items():
    for n in names:
        msg(p, n)
        if p != 'meta' and n not in NO_LIST: msg(p, n + 'List')

out = ['/**',
       ' * The protobuf layout of every message podnet decodes, generated by',
       ' * gen-messages.py from the Go types of k8s.io/api v0.32.13 (struct tags',
       ' * `protobuf:"..."` and `json:"..."`). Do not edit by hand.',
       ' */',
       "import type { MessageTable } from './layout.js';",
       '',
       'export const messages: MessageTable = {']
i = 0
while i < len(order):
    p, n = order[i]; i += 1
    fs = fields_of(p, n)
    out.append("  '%s': [" % (PKG[p][1] + n))
    for num, jn, wt, fl in fs:
        out.append("    [%d, '%s', '%s', '%s']," % (num, jn, wt, fl))
    out.append('  ],')
out.append('};')
print('\n'.join(out))
