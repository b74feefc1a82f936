#!/usr/bin/env python3
"""Checks docs/api/openapi.yaml against itself and against its prose contracts, docs/api.md and
docs/operator-protocol.md.

    openapi_check.py SOURCE_DIR

Reads SOURCE_DIR/docs/api/openapi.yaml, SOURCE_DIR/docs/api.md and SOURCE_DIR/docs/operator-protocol.md
(python3 standard library and PyYAML only) and checks:

1. The YAML loads (a key given twice in one mapping is an error), `openapi` is 3.1.x, and `info`
   has a title and a version.
2. Every `$ref` resolves: `#/...` inside the document, `FILE#/...` to a file relative to the YAML
   (JSON or YAML) and the fragment inside it. Remote references are refused.
3. Every operation (under `paths` and `webhooks`) has an operationId, unique over the document,
   a summary and at least one response; every parameter has a name, an `in` and a schema or
   content.
4. Every `{name}` of a path template is declared as a required path parameter (on the path or
   the operation), and every declared path parameter is in the template.
5. The `code` enum of components/schemas/Problem is exactly the codes of docs/api.md's error
   table; a problem example under a response status has the status the table gives its code;
   a code table in the YAML, if any, gives the same statuses.
6. Every route docs/api.md names as "`METHOD /path`" (headings, bullets, prose) is an operation
   in the YAML, with the query parameters it shows ("?status=&limit="), and every operation in
   the YAML is named in docs/api.md. The operator protocol likewise: every route of a
   docs/operator-protocol.md heading "## ...: `METHOD /operator/v1/...`" is an operation in the
   YAML (with its query parameters), and every `/operator/...` operation of the YAML is such a
   heading (not one of docs/api.md).
7. Authentication as docs/api.md says: every `/v1` route except the one it names as the exception
   needs the bearer scheme and has a 401 response; that exception and the routes of the
   "Operations" section have `security: []`. Every `/operator/` route needs an operator credential:
   a non-empty security whose every requirement names schemes of components/securitySchemes and
   none of the tenant's (the document's default `security`), a 401 response, and the tag that
   docs/operator-protocol.md names ("(tag `operator`)").
8. The enums that docs/api.md lists in prose agree with the YAML: the invoice statuses (the
   "### Status" diagram and the business statuses that section names as "`status` (CODE") with
   InvoiceStatus, the failure codes with Failure.code, the document kinds with DocumentKind. The
   business statuses and their codes: the status/code table of docs/operator-protocol.md
   ("| `status` | `CODE` |") is exactly the one in the description of
   components/schemas/BusinessStatus, whose enum has its statuses and BusinessStatusCode's enum its
   codes; every "`status` (CODE" of docs/api.md's Status section is a pair of that table.
9. Every HTTP header docs/api.md names in backquotes is documented in the YAML, as a header
   parameter or a response header (Authorization, Content-Type, Content-Length and Accept are
   expressed otherwise: by the security scheme, the media types and HTTP itself; a backquoted
   value of BusinessStatusCode's enum, such as `AP`, is a status code, not a header).
10. The component schemas and the security scheme the API's clients rely on exist, and there is
    at least one outgoing webhook under `webhooks`.
11. The operator protocol's problem codes: the `code` enum of components/schemas/OperatorProblem
    is exactly the codes of the table in its description ("| `code` | status | when |"); every
    "`STATUS code`" (and "`401` (problem `code`)") of docs/operator-protocol.md is in that table
    with that status; and the problem examples of the `/operator/` operations are checked against
    that table as those of the other operations are against docs/api.md's (rule 5).

Prints each problem found and exits 1, or prints a summary and exits 0.
"""
import json
import os
import re
import sys

import yaml

METHODS = ('get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace')
REQUIRED_SCHEMAS = (
    'Invoice', 'InvoiceSummary', 'InvoiceAccepted', 'Preflight', 'Event', 'Finding', 'Problem',
    'Webhook', 'WebhookCreated', 'WebhookDelivery', 'Document', 'Route', 'Failure', 'Attempt',
    'Totals', 'InvoiceStatus', 'DocumentKind', 'InboxItem', 'InboxEvent', 'BusinessStatus',
    'BusinessStatusCode', 'Envelope', 'OperatorMessage', 'OperatorReceipt', 'Receiver',
    'StatusCallback', 'OperatorProblem')
# Paths of the operator protocol (docs/operator-protocol.md), not of the ERP API (docs/api.md).
OPERATOR_PREFIX = '/operator/'
# A table row "| `code` | 409 | ..." (error tables) and "| `status` | `AB` | ..." (status codes).
CODE_ROW = r'^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|'
STATUS_CODE_ROW = r'^\|\s*`([a-z_]+)`\s*\|\s*`([A-Z]{2})`\s*\|'
# Headers that OpenAPI expresses by other means than a header parameter or response header.
HEADERS_EXPRESSED_OTHERWISE = {'authorization', 'content-type', 'content-length', 'accept'}


class UniqueKeyLoader(yaml.SafeLoader):
    """A SafeLoader that refuses a key given twice in one mapping (PyYAML keeps the last)."""


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, 'key %r given twice' % (key,), key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class Checker:
    def __init__(self, source_dir):
        self.source_dir = source_dir
        self.yaml_path = os.path.join(source_dir, 'docs', 'api', 'openapi.yaml')
        self.md_path = os.path.join(source_dir, 'docs', 'api.md')
        self.op_md_path = os.path.join(source_dir, 'docs', 'operator-protocol.md')
        self.problems = []
        self.doc = None
        self.md = ''
        self.op_md = ''
        self.external = {}  # path -> loaded document (or None when it cannot be loaded)

    def problem(self, text):
        self.problems.append(text)

    # ---------------------------------------------------------------- references

    @staticmethod
    def pointer(document, fragment):
        """Follows a JSON pointer ('/a/b~1c'); raises KeyError when it does not resolve."""
        if fragment in ('', '/'):
            return document
        if not fragment.startswith('/'):
            raise KeyError(fragment)
        node = document
        for raw in fragment[1:].split('/'):
            part = raw.replace('~1', '/').replace('~0', '~')
            part = re.sub(r'%([0-9A-Fa-f]{2})', lambda m: chr(int(m.group(1), 16)), part)
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise KeyError(part)
        return node

    def load_external(self, path):
        if path not in self.external:
            try:
                with open(path, encoding='utf-8') as f:
                    text = f.read()
                self.external[path] = (json.loads(text) if path.endswith('.json')
                                       else yaml.load(text, Loader=UniqueKeyLoader))
            except (OSError, ValueError, yaml.YAMLError) as e:
                self.problem('$ref target %s cannot be read: %s' % (path, e))
                self.external[path] = None
        return self.external[path]

    def resolve(self, ref, where):
        """The node a $ref names, or None (with a problem) when it does not resolve."""
        if not isinstance(ref, str):
            self.problem('%s: $ref is not a string: %r' % (where, ref))
            return None
        if re.match(r'^[a-zA-Z][a-zA-Z0-9+.-]*://', ref):
            self.problem('%s: remote $ref %s (only references inside the repository are allowed)'
                         % (where, ref))
            return None
        file_part, _, fragment = ref.partition('#')
        if file_part:
            path = os.path.normpath(os.path.join(os.path.dirname(self.yaml_path), file_part))
            if not os.path.isfile(path):
                self.problem('%s: $ref %s: no file %s' % (where, ref, path))
                return None
            document = self.load_external(path)
            if document is None:
                return None
        else:
            document = self.doc
        try:
            return self.pointer(document, fragment)
        except KeyError:
            self.problem('%s: $ref %s does not resolve' % (where, ref))
            return None

    def deref(self, node, where):
        """Follows $ref chains inside the document; None when one does not resolve."""
        seen = set()
        while isinstance(node, dict) and '$ref' in node:
            ref = node['$ref']
            if ref in seen:
                self.problem('%s: $ref cycle through %s' % (where, ref))
                return None
            seen.add(ref)
            node = self.resolve(ref, where)
        return node

    def check_refs(self):
        count = 0
        stack = [(self.doc, '#')]
        while stack:
            node, where = stack.pop()
            if isinstance(node, dict):
                if '$ref' in node:
                    count += 1
                    self.resolve(node['$ref'], where)
                for key, value in node.items():
                    stack.append((value, '%s/%s' % (where, str(key).replace('~', '~0').replace('/', '~1'))))
            elif isinstance(node, list):
                for i, value in enumerate(node):
                    stack.append((value, '%s/%d' % (where, i)))
        return count

    # ---------------------------------------------------------------- operations

    def operations(self):
        """(section, path or webhook name, method, path item, operation) of every operation."""
        result = []
        for section in ('paths', 'webhooks'):
            items = self.doc.get(section) or {}
            if not isinstance(items, dict):
                self.problem('%s is not a mapping' % section)
                continue
            for name, item in items.items():
                item = self.deref(item, '%s %s' % (section, name))
                if not isinstance(item, dict):
                    self.problem('%s %s: not a path item' % (section, name))
                    continue
                for method in METHODS:
                    if method in item:
                        result.append((section, name, method, item, item[method]))
        return result

    def parameters(self, item, op, where):
        params = []
        for source in (item.get('parameters') or [], op.get('parameters') or []):
            for p in source:
                p = self.deref(p, where)
                if not isinstance(p, dict):
                    continue
                if not p.get('name') or p.get('in') not in ('path', 'query', 'header', 'cookie'):
                    self.problem('%s: a parameter without a name or a valid `in`: %r' % (where, p))
                    continue
                if 'schema' not in p and 'content' not in p:
                    self.problem('%s: parameter %s has neither schema nor content' % (where, p['name']))
                params.append(p)
        return params

    def check_operations(self, ops):
        ids = {}
        for section, name, method, item, op in ops:
            where = '%s %s %s' % (section, method.upper(), name)
            if not isinstance(op, dict):
                self.problem('%s: not an operation object' % where)
                continue
            op_id = op.get('operationId')
            if not isinstance(op_id, str) or not op_id:
                self.problem('%s: no operationId' % where)
            elif op_id in ids:
                self.problem('%s: operationId %s is also used by %s' % (where, op_id, ids[op_id]))
            else:
                ids[op_id] = where
            if not isinstance(op.get('summary'), str) or not op['summary'].strip():
                self.problem('%s: no summary' % where)
            responses = op.get('responses')
            if not isinstance(responses, dict) or not responses:
                self.problem('%s: no responses' % where)
            params = self.parameters(item, op, where)
            if section != 'paths':
                continue
            in_template = re.findall(r'\{([^}]+)\}', name)
            declared = {p['name']: p for p in params if p['in'] == 'path'}
            for param in in_template:
                if param not in declared:
                    self.problem('%s: path parameter {%s} is not declared' % (where, param))
                elif declared[param].get('required') is not True:
                    self.problem('%s: path parameter {%s} is not `required: true`' % (where, param))
            for param in declared:
                if param not in in_template:
                    self.problem('%s: path parameter %s is not in the path' % (where, param))
        return len(ids)

    # ---------------------------------------------------------------- docs/api.md

    def md_error_table(self):
        table = {}
        for code, status in re.findall(CODE_ROW, self.md, re.M):
            table[code] = int(status)
        if not table:
            self.problem('docs/api.md: no error table (rows "| `code` | status | when |") found')
        return table

    def md_routes(self):
        """{(METHOD, path): [query parameter names]} of every "`METHOD /path`" in docs/api.md."""
        routes = {}
        pattern = r'`(GET|PUT|POST|DELETE|OPTIONS|HEAD|PATCH|TRACE)\s+(/[^`\s]*)`'
        for method, target in re.findall(pattern, self.md):
            path, _, query = target.partition('?')
            names = [q.split('=')[0] for q in query.split('&') if q.split('=')[0]]
            routes.setdefault((method, path), [])
            for n in names:
                if n not in routes[(method, path)]:
                    routes[(method, path)].append(n)
        if not routes:
            self.problem('docs/api.md: no routes ("`METHOD /path`") found')
        return routes

    def md_section(self, heading_pattern):
        """The text from a heading matching heading_pattern to the next heading of its level or
        above, or None."""
        m = re.search(r'^(#+) ' + heading_pattern + r'.*$', self.md, re.M)
        if not m:
            return None
        level = len(m.group(1))
        rest = self.md[m.end():]
        end = re.search(r'^#{1,%d} ' % level, rest, re.M)
        return rest[:end.start()] if end else rest

    def md_statuses(self):
        section = self.md_section(r'Status\s*$')
        block = re.search(r'```[a-z]*\n(.*?)```', section or '', re.S)
        if not block:
            self.problem('docs/api.md: no "### Status" section with a diagram found')
            return []
        diagram = re.sub(r'\([^)]*\)', ' ', block.group(1))
        names = []
        for word in re.findall(r'[a-z_]+', diagram):
            if word not in names:
                names.append(word)
        for word, _ in self.md_business_statuses():
            if word not in names:
                names.append(word)
        return names

    def md_business_statuses(self):
        """The (status, code) pairs that docs/api.md's Status section names as "`status` (CODE"."""
        section = self.md_section(r'Status\s*$') or ''
        return re.findall(r'`([a-z_]+)`\s*\(([A-Z]{2})\b', section)

    def md_list_after(self, intro, stop):
        """The backquoted identifiers between the phrase `intro` and `stop` (a regex)."""
        m = re.search(intro + r'(.*?)' + stop, self.md, re.S)
        if not m:
            self.problem('docs/api.md: no list introduced by "%s" found' % intro)
            return []
        return re.findall(r'`([a-z_]+)`', m.group(1))

    def md_headers(self):
        status_codes = set(self.enum_of('BusinessStatusCode') or [])
        names = set()
        for name in re.findall(r'`([A-Z][A-Za-z]*(?:-[A-Za-z]+)*)(?::[^`]*)?`', self.md):
            if len(name) > 1 and name.lower() not in HEADERS_EXPRESSED_OTHERWISE and name not in status_codes:
                names.add(name)
        return names

    # ---------------------------------------------------------------- docs/operator-protocol.md

    def op_md_routes(self):
        """{(METHOD, path): [query parameter names]} of every "## ...: `METHOD /operator/v1/...`"
        heading of docs/operator-protocol.md."""
        routes = {}
        pattern = (r'^#{2,}\s.*?:\s*`(GET|PUT|POST|DELETE|OPTIONS|HEAD|PATCH|TRACE)\s+'
                   r'(/operator/v1/[^`\s]*)`\s*$')
        for method, target in re.findall(pattern, self.op_md, re.M):
            path, _, query = target.partition('?')
            names = [q.split('=')[0] for q in query.split('&') if q.split('=')[0]]
            routes.setdefault((method, path), [])
            for n in names:
                if n not in routes[(method, path)]:
                    routes[(method, path)].append(n)
        if not routes:
            self.problem('docs/operator-protocol.md: no route headings ("## ...: `METHOD /operator/v1/...`") found')
        return routes

    def op_md_problem_codes(self):
        """{code: status} of every "`STATUS code`" (a 4xx or 5xx status) and "`401` (problem `code`)"
        of docs/operator-protocol.md."""
        codes = {}
        found = re.findall(r'`([45]\d\d)\s+([a-z_]+)`', self.op_md)  # not "`200 rejected`"
        found += re.findall(r'`([45]\d\d)`\s*\(problem\s+`([a-z_]+)`\)', self.op_md)
        for status, code in found:
            if code in codes and codes[code] != int(status):
                self.problem('docs/operator-protocol.md gives %s the statuses %d and %s'
                             % (code, codes[code], status))
            codes[code] = int(status)
        if not codes:
            self.problem('docs/operator-protocol.md: no problem codes ("`STATUS code`") found')
        return codes

    def operator_error_table(self):
        """{code: status} of the table in components/schemas/OperatorProblem's code description,
        checked against its enum and docs/operator-protocol.md."""
        problem = self.schema('OperatorProblem') or {}
        code_prop = self.deref((problem.get('properties') or {}).get('code'), 'OperatorProblem/code') or {}
        table = {}
        for code, status in re.findall(CODE_ROW, str(code_prop.get('description') or ''), re.M):
            table[code] = int(status)
        if problem and not table:
            self.problem('components/schemas/OperatorProblem: its code description has no table '
                         '("| `code` | status | when |")')
        self.compare_with('OperatorProblem code enum', 'the table of its description', list(table),
                          self.enum_of('OperatorProblem', 'code'))
        for code, status in sorted(self.op_md_problem_codes().items()):
            if code not in table:
                self.problem('docs/operator-protocol.md answers `%d %s`; OperatorProblem has no such code'
                             % (status, code))
            elif table[code] != status:
                self.problem('OperatorProblem: %s has status %d, docs/operator-protocol.md says %d'
                             % (code, table[code], status))
        return table

    def check_business_statuses(self):
        op_pairs = re.findall(STATUS_CODE_ROW, self.op_md, re.M)
        if not op_pairs:
            self.problem('docs/operator-protocol.md: no status table ("| `status` | `CODE` |") found')
        node = self.schema('BusinessStatus') or {}
        yaml_pairs = re.findall(STATUS_CODE_ROW, str(node.get('description') or ''), re.M)
        if node and not yaml_pairs:
            self.problem('components/schemas/BusinessStatus: its description has no status table '
                         '("| `status` | `CODE` |")')
        self.compare('BusinessStatus table', ['%s=%s' % p for p in op_pairs], ['%s=%s' % p for p in yaml_pairs])
        self.compare_with('BusinessStatus enum', 'its status table', [s for s, _ in yaml_pairs],
                          self.enum_of('BusinessStatus'))
        self.compare_with('BusinessStatusCode enum', 'the status table of BusinessStatus',
                          [c for _, c in yaml_pairs], self.enum_of('BusinessStatusCode'))
        table = dict(yaml_pairs)
        for status, code in self.md_business_statuses():
            if table.get(status) != code:
                self.problem('docs/api.md names `%s` (%s); the status table of BusinessStatus gives %s'
                             % (status, code, table.get(status)))

    # ---------------------------------------------------------------- checks against docs/api.md

    def schema(self, name):
        schemas = (self.doc.get('components') or {}).get('schemas') or {}
        if name not in schemas:
            self.problem('components/schemas/%s is missing' % name)
            return None
        return self.deref(schemas[name], 'components/schemas/%s' % name)

    def enum_of(self, schema_name, prop=None):
        node = self.schema(schema_name)
        where = 'components/schemas/%s' % schema_name
        if node is not None and prop is not None:
            node = self.deref(((node.get('properties') or {}).get(prop)), where + '/properties/' + prop)
            where += '/properties/' + prop
        if not isinstance(node, dict) or not isinstance(node.get('enum'), list):
            if node is not None:
                self.problem('%s has no enum' % where)
            return None
        return node['enum']

    def compare_with(self, what, source, from_source, from_yaml):
        if from_yaml is None:
            return
        for value in from_source:
            if value not in from_yaml:
                self.problem('%s: %s is in %s but not in the enum' % (what, value, source))
        for value in from_yaml:
            if value not in from_source:
                self.problem('%s: %s is in the enum but not in %s' % (what, value, source))

    def compare(self, what, from_md, from_yaml):
        if from_yaml is None:
            return
        for value in from_md:
            if value not in from_yaml:
                self.problem('%s: %s is in docs/api.md but not in the YAML' % (what, value))
        for value in from_yaml:
            if value not in from_md:
                self.problem('%s: %s is in the YAML but not in docs/api.md' % (what, value))

    def check_problem_codes(self, ops):
        api_table = self.md_error_table()
        self.compare('Problem code enum', list(api_table), self.enum_of('Problem', 'code'))
        # A code table copied into the YAML must give the same statuses.
        problem = self.schema('Problem') or {}
        code_prop = self.deref((problem.get('properties') or {}).get('code'), 'Problem/code') or {}
        for code, status in re.findall(CODE_ROW, str(code_prop.get('description') or ''), re.M):
            if api_table.get(code) != int(status):
                self.problem('Problem code description: %s has status %s, docs/api.md says %s'
                             % (code, status, api_table.get(code)))
        operator_table = self.operator_error_table()
        # Problem examples under a response status must carry that status and a code of it: of
        # the operator protocol's table under /operator/, of docs/api.md's elsewhere.
        for section, name, method, item, op in ops:
            operator = section == 'paths' and name.startswith(OPERATOR_PREFIX)
            table = operator_table if operator else api_table
            table_name = 'the OperatorProblem table' if operator else 'the error table'
            for status, response in (op.get('responses') or {}).items():
                where = '%s %s responses %s' % (method.upper(), name, status)
                response = self.deref(response, where)
                if not isinstance(response, dict):
                    continue
                for media, content in (response.get('content') or {}).items():
                    if 'problem+json' not in media or not isinstance(content, dict):
                        continue
                    values = []
                    if 'example' in content:
                        values.append(content['example'])
                    for key, example in (content.get('examples') or {}).items():
                        example = self.deref(example, where)
                        if isinstance(example, dict) and 'value' in example:
                            values.append(example['value'])
                    for value in values:
                        if not isinstance(value, dict):
                            continue
                        code = value.get('code')
                        if code not in table:
                            self.problem('%s: example code %r is not in %s' % (where, code, table_name))
                            continue
                        if value.get('status') != table[code]:
                            self.problem('%s: example %s has status %r, the table says %d'
                                         % (where, code, value.get('status'), table[code]))
                        if str(status) != str(table[code]):
                            self.problem('%s: example %s is a %d problem' % (where, code, table[code]))

    def check_routes(self, ops):
        md_routes = self.md_routes()
        op_md_routes = self.op_md_routes()
        yaml_ops = {}
        for section, name, method, item, op in ops:
            if section == 'paths':
                yaml_ops[(method.upper(), name)] = (item, op)
        for doc, routes in (('docs/api.md', md_routes), ('docs/operator-protocol.md', op_md_routes)):
            for (method, path), query in sorted(routes.items()):
                if (method, path) not in yaml_ops:
                    self.problem('%s names %s %s; the YAML has no such operation' % (doc, method, path))
                    continue
                item, op = yaml_ops[(method, path)]
                declared = {p['name'] for p in self.parameters(item, op, '%s %s' % (method, path))
                            if p['in'] == 'query'}
                for q in query:
                    if q not in declared:
                        self.problem('%s %s: query parameter %s (%s) is not declared'
                                     % (method, path, q, doc))
        for (method, path) in sorted(yaml_ops):
            if path.startswith(OPERATOR_PREFIX):
                if (method, path) not in op_md_routes:
                    self.problem('the YAML has %s %s; no heading of docs/operator-protocol.md names it'
                                 % (method, path))
            elif (method, path) not in md_routes:
                self.problem('the YAML has %s %s; docs/api.md does not name it' % (method, path))
        return len(md_routes), len(op_md_routes)

    def check_security(self, ops):
        schemes = ((self.doc.get('components') or {}).get('securitySchemes')) or {}
        bearer = [n for n, s in schemes.items()
                  if isinstance(s, dict) and s.get('type') == 'http'
                  and str(s.get('scheme', '')).lower() == 'bearer']
        if not bearer:
            self.problem('components/securitySchemes has no http bearer scheme')
        m = re.search(r'every\s+`/v1`\s+route\s+except\s+`([^`]+)`', self.md)
        if not m:
            self.problem('docs/api.md: the authentication rule ("every `/v1` route except ...") not found')
        exempt = {m.group(1).split()[-1]} if m else set()
        operations_section = self.md_section(r'Operations\s*$') or ''
        if not operations_section:
            self.problem('docs/api.md: no "## Operations" section found')
        exempt |= {p for _, p in re.findall(r'`(GET|POST|PUT|DELETE|PATCH)\s+(/[^`\s?]*)', operations_section)}
        default = self.doc.get('security')
        tenant_schemes = {scheme for requirement in (default or []) for scheme in (requirement or {})}
        m = re.search(r'\(tag\s+`([^`]+)`\)', self.op_md)
        if not m:
            self.problem('docs/operator-protocol.md: the tag of its operations ("(tag `...`)") not found')
        operator_tag = m.group(1) if m else None
        for section, name, method, item, op in ops:
            if section != 'paths':
                continue
            where = '%s %s' % (method.upper(), name)
            security = op.get('security', default)
            if name.startswith(OPERATOR_PREFIX):
                if operator_tag and operator_tag not in (op.get('tags') or []):
                    self.problem('%s: not tagged `%s` (docs/operator-protocol.md)' % (where, operator_tag))
                if not security:
                    self.problem('%s: needs an operator credential but has no security' % where)
                for requirement in security or []:
                    if not requirement:
                        self.problem('%s: an empty security requirement lets anyone call it' % where)
                    for scheme in requirement or {}:
                        if scheme not in schemes:
                            self.problem('%s: security scheme %s is not in components' % (where, scheme))
                        elif scheme in tenant_schemes:
                            self.problem('%s: an operator route accepts the tenant scheme %s' % (where, scheme))
                if '401' not in (op.get('responses') or {}):
                    self.problem('%s: needs an operator credential but has no 401 response' % where)
                continue
            if name in exempt:
                if security != []:
                    self.problem('%s: docs/api.md says it needs no API key; set `security: []`' % where)
                continue
            if not name.startswith('/v1/'):
                continue
            if not security:
                self.problem('%s: needs the API key (docs/api.md) but has no security' % where)
                continue
            for requirement in security:
                for scheme in requirement or {}:
                    if scheme not in schemes:
                        self.problem('%s: security scheme %s is not in components' % (where, scheme))
            if '401' not in (op.get('responses') or {}):
                self.problem('%s: needs the API key but has no 401 response' % where)

    def check_enums(self):
        self.compare('InvoiceStatus', self.md_statuses(), self.enum_of('InvoiceStatus'))
        self.compare('Failure code', self.md_list_after(r'failure codes are', r'\n\n'),
                     self.enum_of('Failure', 'code'))
        self.compare('DocumentKind', self.md_list_after(r'Kinds:', r'\n\n'),
                     self.enum_of('DocumentKind'))
        self.check_business_statuses()

    def check_headers(self):
        documented = set()
        stack = [self.doc]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if node.get('in') == 'header' and isinstance(node.get('name'), str):
                    documented.add(node['name'].lower())
                if isinstance(node.get('headers'), dict):
                    documented |= {str(k).lower() for k in node['headers']}
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
        for name in sorted(self.md_headers()):
            if name.lower() not in documented:
                self.problem('header %s (docs/api.md) is documented nowhere in the YAML' % name)

    # ---------------------------------------------------------------- main

    def run(self):
        try:
            with open(self.md_path, encoding='utf-8') as f:
                self.md = f.read()
        except OSError as e:
            self.problem('cannot read %s: %s' % (self.md_path, e))
            return
        try:
            with open(self.op_md_path, encoding='utf-8') as f:
                self.op_md = f.read()
        except OSError as e:
            self.problem('cannot read %s: %s' % (self.op_md_path, e))
            return
        try:
            with open(self.yaml_path, encoding='utf-8') as f:
                self.doc = yaml.load(f, Loader=UniqueKeyLoader)
        except (OSError, yaml.YAMLError) as e:
            self.problem('cannot load %s: %s' % (self.yaml_path, e))
            return
        if not isinstance(self.doc, dict):
            self.problem('%s is not a mapping' % self.yaml_path)
            return
        version = self.doc.get('openapi')
        if not isinstance(version, str) or not re.match(r'^3\.1\.\d+$', version):
            self.problem('openapi is %r, not a 3.1.x version string' % (version,))
        info = self.doc.get('info') or {}
        if not info.get('title') or not info.get('version'):
            self.problem('info needs a title and a version')
        refs = self.check_refs()
        ops = self.operations()
        op_count = self.check_operations(ops)
        self.check_problem_codes(ops)
        route_count, operator_route_count = self.check_routes(ops)
        self.check_security(ops)
        self.check_enums()
        self.check_headers()
        for name in REQUIRED_SCHEMAS:
            self.schema(name)
        if not self.doc.get('webhooks'):
            self.problem('no outgoing webhook under `webhooks`')
        self.summary = ('%d operations, %d $refs, %d routes of docs/api.md, %d of docs/operator-protocol.md'
                        % (op_count, refs, route_count, operator_route_count))


def main(argv):
    if len(argv) != 2:
        print('usage: openapi_check.py SOURCE_DIR', file=sys.stderr)
        return 2
    checker = Checker(argv[1])
    checker.run()
    for text in checker.problems:
        print('openapi_check: ' + text)
    if checker.problems:
        print('openapi_check: %d problem(s)' % len(checker.problems))
        return 1
    print('openapi_check: ok (%s)' % checker.summary)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
