//! YAML mappings given to CEL as they are, read when a rule reads them.
//!
//! Converting a whole pod spec into CEL maps (a hash map of boxed values per mapping, its keys
//! hashed with SipHash, one `loc` per mapping) cost more than most rules, which read a few of
//! its fields. A [`YamlMap`] is a reference to the mapping's node: a field is found among the
//! node's entries when it is read, a mapping under it becomes another `YamlMap`, a sequence a
//! shared list of such values, and a scalar the value [`super::load::scalar`] gives, exactly as
//! the conversion did:
//!
//! - a null value is an absent field (`has()` is false), as for Kubernetes;
//! - when a key repeats, the last value wins;
//! - every mapping has a `loc`, the number `at:` paths resolve to its span (see [`loc`]);
//! - the model may set fields on a mapping (`container.name`, `container.probeText`), and
//!   give lists that the YAML leaves out as `[]` (see [`Overlay`]).
//!
//! To the interpreter a `YamlMap` is a `map`: it answers `.f`, `[k]`, `in`, `has()`, `size()`,
//! the comprehensions and `==` as a built-in map with the same entries would. It is not one of
//! the interpreter's built-in types, so it cannot be converted to a [`cel::Value`]: what a rule
//! returns or interpolates is read with the helpers of [`super::shared`], which go through the
//! same traits.

use super::shared::{boolean, int, list, text, BoxVal};
use crate::yaml::{Node, Value};
use cel::common::traits::{Container, Indexer, Iterable, Sizer, Zeroer};
use cel::common::types::{CelBool, CelDouble, CelInt, CelNull, CelString, CelUInt, Type, MAP_TYPE};
use cel::common::value::{CowVal, Val};
use cel::ExecutionError;
use std::sync::{Arc, OnceLock};

/// Set on every `loc` of a [`YamlMap`]: the numbers below it index the subject's table of
/// places, those above it name a mapping by its root and its first byte.
const LAZY: i64 = 1 << 62;

/// The `loc` of the mapping that starts at byte `start` under root `root`.
pub fn loc(root: u32, start: u32) -> i64 {
    LAZY | (i64::from(root) << 32) | i64::from(start)
}

/// The root and first byte named by a `loc` of a [`YamlMap`]; `None` for other numbers.
pub fn decode(loc: usize) -> Option<(u32, u32)> {
    let l = i64::try_from(loc).ok()?;
    (l & LAZY != 0).then_some((((l & !LAZY) >> 32) as u32, (l & 0xffff_ffff) as u32))
}

/// The mapping under `root` (itself included) that starts at byte `start`.
pub fn find_map(root: &Node, start: u32) -> Option<&Node> {
    if root.span.start == start && root.is_map() {
        return Some(root);
    }
    let within = |n: &Node| n.span.start <= start && start < n.span.end.max(n.span.start + 1);
    match &root.value {
        Value::Map(entries) => entries
            .iter()
            .map(|(_, v)| v)
            .filter(|v| within(v))
            .find_map(|v| find_map(v, start)),
        Value::Seq(items) => items
            .iter()
            .filter(|v| within(v))
            .find_map(|v| find_map(v, start)),
        _ => None,
    }
}

/// Fields the model sets on a mapping, over the YAML's.
#[derive(Debug, Default)]
pub struct Overlay<'a> {
    /// Set fields; they hide YAML fields of the same name.
    pub set: Vec<(&'a str, BoxVal<'a>)>,
    /// Fields that read as `[]` when the YAML has no value for them, so that rules need no
    /// `has()` chains.
    pub empty_lists: &'static [&'static str],
}

/// A YAML mapping read in place.
#[derive(Debug)]
pub struct YamlMap<'a> {
    node: &'a Node,
    /// The subject's root the node lies under, for its `loc`.
    root: u32,
    overlay: Option<Arc<Overlay<'a>>>,
    /// The keys, made the first time the map is iterated or sized.
    keys: OnceLock<Vec<CelString<'a>>>,
}

impl Clone for YamlMap<'_> {
    fn clone(&self) -> Self {
        YamlMap {
            node: self.node,
            root: self.root,
            overlay: self.overlay.clone(),
            keys: OnceLock::new(),
        }
    }
}

impl<'a> YamlMap<'a> {
    /// The mapping `node` (which must be a mapping) under root `root`.
    pub fn new(node: &'a Node, root: u32, overlay: Option<Overlay<'a>>) -> Self {
        YamlMap {
            node,
            root,
            overlay: overlay.map(Arc::new),
            keys: OnceLock::new(),
        }
    }

    /// The value of the last non-null YAML entry named `key`.
    fn entry(&self, key: &str) -> Option<&'a Node> {
        field_node(self.node, key)
    }

    fn lookup<'b, 'v>(&'b self, key: &str) -> Option<CowVal<'b, 'v>>
    where
        'a: 'v,
    {
        if key == "loc" {
            return Some(CowVal::Owned(int(loc(self.root, self.node.span.start))));
        }
        let overlay = self.overlay.as_deref();
        if let Some((_, v)) = overlay.and_then(|o| o.set.iter().rev().find(|(k, _)| *k == key)) {
            return Some(CowVal::Borrowed(v.as_ref()));
        }
        if let Some(v) = self.entry(key) {
            return Some(CowVal::Owned(value(v, self.root)));
        }
        overlay
            .filter(|o| o.empty_lists.contains(&key))
            .map(|_| CowVal::Owned(list(Vec::new())))
    }

    /// Every key once: the model's, the YAML's, the defaulted lists, `loc`.
    fn keys(&self) -> &[CelString<'a>] {
        self.keys.get_or_init(|| {
            let mut keys: Vec<&'a str> = Vec::new();
            let overlay = self.overlay.as_deref();
            for (k, _) in overlay.map_or(&[][..], |o| &o.set[..]) {
                keys.push(k);
            }
            for (k, v) in self.node.entries() {
                if let (Some(k), false) = (k.as_str(), v.is_null()) {
                    keys.push(k);
                }
            }
            for k in overlay.map_or(&[][..], |o| o.empty_lists) {
                keys.push(k);
            }
            keys.push("loc");
            let mut unique: Vec<CelString<'a>> = Vec::with_capacity(keys.len());
            for (i, k) in keys.iter().enumerate() {
                if !keys[..i].contains(k) {
                    unique.push(CelString::from(*k));
                }
            }
            unique
        })
    }
}

/// The field `key` of a mapping as CEL sees it: the value of the last non-null entry so named.
pub fn field_node<'a>(n: &'a Node, key: &str) -> Option<&'a Node> {
    n.entries()
        .iter()
        .rev()
        .find(|(k, v)| k.as_str() == Some(key) && !v.is_null())
        .map(|(_, v)| v)
}

/// A YAML node as CEL reads it: a mapping in place, a sequence as a list, a scalar typed as
/// [`super::load::scalar`] says.
pub fn value(n: &Node, root: u32) -> BoxVal<'_> {
    match &n.value {
        Value::Map(_) => Box::new(YamlMap::new(n, root, None)),
        Value::Seq(items) => list(items.iter().map(|i| value(i, root)).collect()),
        _ => scalar(n),
    }
}

/// A YAML scalar as CEL reads it (see [`super::load::scalar`]).
pub fn scalar(n: &Node) -> BoxVal<'_> {
    use super::load::Scalar;
    match super::load::scalar(n) {
        Scalar::Null => Box::new(CelNull),
        Scalar::Bool(b) => boolean(b),
        Scalar::Int(i) => int(i),
        Scalar::Float(f) => Box::new(CelDouble::from(f)),
        Scalar::Str(t) => text(t),
    }
}

/// The key of a lookup as text; `Err` with what a built-in map answers when it is not a
/// string (no key of a YAML mapping is anything else).
fn key_text(key: &dyn Val) -> Result<&str, ExecutionError> {
    if let Some(s) = key.downcast_ref::<CelString>() {
        return Ok(s.inner());
    }
    let number = if let Some(i) = key.downcast_ref::<CelInt>() {
        i.inner().to_string()
    } else if let Some(u) = key.downcast_ref::<CelUInt>() {
        u.inner().to_string()
    } else if let Some(d) = key.downcast_ref::<CelDouble>() {
        d.inner().to_string()
    } else if let Some(b) = key.downcast_ref::<CelBool>() {
        b.inner().to_string()
    } else {
        return Err(ExecutionError::UnexpectedType {
            got: key.get_type().name().to_owned(),
            want: "map key".to_owned(),
        });
    };
    Err(ExecutionError::NoSuchKey(Arc::new(number)))
}

/// The keys of a map of ours, in order.
struct Keys<'b, 'a>(std::slice::Iter<'b, CelString<'a>>);

impl<'b, 'a: 'v, 'v> cel::common::traits::Iterator<'b, 'v> for Keys<'b, 'a> {
    fn next(&mut self) -> Option<&'b (dyn Val + 'v)> {
        self.0.next().map(|k| k as &dyn Val)
    }
}

/// The `map` of the interpreter for a type with `lookup(key)` (the value at a key) and `keys()`
/// (every key once, in order): what a built-in map with the same entries answers.
macro_rules! cel_map {
    ($ty:ident) => {
        impl Val for $ty<'_> {
            fn get_type(&self) -> &Type {
                <Self as Val>::cel_type()
            }

            fn cel_type() -> &'static Type {
                &MAP_TYPE
            }

            fn as_container(&self) -> Option<&dyn Container> {
                Some(self)
            }

            fn as_indexer<'b, 'v>(&'b self) -> Option<&'b (dyn Indexer + 'v)>
            where
                Self: 'v,
            {
                Some(self)
            }

            fn into_indexer<'v>(self: Box<Self>) -> Option<Box<dyn Indexer + 'v>>
            where
                Self: 'v,
            {
                Some(self)
            }

            fn as_iterable<'b, 'v>(&'b self) -> Option<&'b (dyn Iterable + 'v)>
            where
                Self: 'v,
            {
                Some(self)
            }

            fn as_sizer(&self) -> Option<&dyn Sizer> {
                Some(self)
            }

            fn as_zeroer(&self) -> Option<&dyn Zeroer> {
                Some(self)
            }

            /// Equal to a map with the same keys and equal values, built-in or not.
            fn equals(&self, other: &dyn Val) -> bool {
                let Some(indexer) = other
                    .as_indexer()
                    .filter(|_| other.get_type().name() == MAP_TYPE.name())
                else {
                    return false;
                };
                let size = other.as_sizer().map(|s| *s.size().inner());
                let keys = self.keys();
                size == Some(keys.len() as i64)
                    && keys
                        .iter()
                        .all(|k| match (self.lookup(k.inner()), indexer.get(k)) {
                            (Some(mine), Ok(theirs)) => mine.as_ref().equals(theirs.as_ref()),
                            _ => false,
                        })
            }

            fn clone_as_boxed<'v>(&self) -> Box<dyn Val + 'v>
            where
                Self: 'v,
            {
                Box::new(self.clone())
            }
        }

        impl Container for $ty<'_> {
            fn contains(&self, key: &dyn Val) -> Result<bool, ExecutionError> {
                match key_text(key) {
                    Ok(k) => Ok(self.lookup(k).is_some()),
                    Err(ExecutionError::NoSuchKey(_)) => Ok(false),
                    Err(_) => Err(ExecutionError::UnsupportedKeyType(
                        cel::Value::try_from(key).unwrap_or(cel::Value::Null),
                    )),
                }
            }
        }

        impl<'a> Indexer for $ty<'a> {
            fn get<'b, 'v>(&'b self, idx: &dyn Val) -> Result<CowVal<'b, 'v>, ExecutionError>
            where
                Self: 'v,
            {
                let key = key_text(idx)?;
                self.lookup(key)
                    .ok_or_else(|| ExecutionError::NoSuchKey(Arc::new(key.to_owned())))
            }

            fn steal<'v>(
                self: Box<Self>,
                idx: &dyn Val,
            ) -> Result<Box<dyn Val + 'v>, ExecutionError>
            where
                Self: 'v,
            {
                self.get(idx).map(CowVal::into_owned)
            }
        }

        impl Iterable for $ty<'_> {
            fn iter<'b, 'v>(&'b self) -> Box<dyn cel::common::traits::Iterator<'b, 'v> + 'b>
            where
                Self: 'v,
            {
                Box::new(Keys(self.keys().iter()))
            }
        }

        impl Sizer for $ty<'_> {
            fn size(&self) -> CelInt {
                (self.keys().len() as i64).into()
            }
        }

        impl Zeroer for $ty<'_> {
            fn is_zero_value(&self) -> bool {
                self.keys().is_empty()
            }
        }
    };
}

cel_map!(YamlMap);
cel_map!(FieldMap);

/// A map of the model (`server`, `valkey`, a probe's facts…): its keys sorted, found by binary
/// search, its entries shared by the map's copies. A built-in map would hash every key with
/// SipHash, at building and at every lookup.
#[derive(Debug, Clone)]
pub struct FieldMap<'a>(Arc<(Vec<CelString<'a>>, Vec<BoxVal<'a>>)>);

impl<'a> FieldMap<'a> {
    /// The map of `entries`; of entries with the same key, the last one.
    pub fn new(mut entries: Vec<(&'a str, BoxVal<'a>)>) -> Self {
        // A stable sort keeps equal keys in the order they were set: the last one is kept.
        entries.sort_by(|a, b| a.0.cmp(b.0));
        let mut keys: Vec<CelString<'a>> = Vec::with_capacity(entries.len());
        let mut values: Vec<BoxVal<'a>> = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            if keys.last().is_some_and(|last| last.inner() == k) {
                if let Some(slot) = values.last_mut() {
                    *slot = v;
                }
            } else {
                keys.push(CelString::from(k));
                values.push(v);
            }
        }
        FieldMap(Arc::new((keys, values)))
    }

    fn lookup<'b, 'v>(&'b self, key: &str) -> Option<CowVal<'b, 'v>>
    where
        'a: 'v,
    {
        let (keys, values) = &*self.0;
        let i = keys.binary_search_by(|k| k.inner().cmp(key)).ok()?;
        Some(CowVal::Borrowed(values[i].as_ref()))
    }

    fn keys(&self) -> &[CelString<'a>] {
        &self.0 .0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::shared::{boolean, texts};
    use crate::rules::shared::{entries, items, Fields, SharedMap};
    use cel::common::types::CelMapKey;
    use cel::Context;

    /// What the mapping was before it was read in place: every mapping built as the
    /// interpreter's own map.
    fn eager(n: &Node, root: u32) -> BoxVal<'_> {
        match &n.value {
            Value::Map(_) => {
                let mut m = std::collections::HashMap::new();
                for (k, v) in n.entries() {
                    if let (Some(k), false) = (k.as_str(), v.is_null()) {
                        m.insert(CelMapKey::from(k), eager(v, root));
                    }
                }
                m.insert(CelMapKey::from("loc"), int(loc(root, n.span.start)));
                Box::new(SharedMap::new(m))
            }
            Value::Seq(items) => list(items.iter().map(|i| eager(i, root)).collect()),
            _ => scalar(n),
        }
    }

    /// A value as text, maps with their keys in order, so that two maps compare by content.
    fn canon(v: &dyn Val) -> String {
        match v.get_type().name() {
            "map" => {
                let mut e: Vec<String> = entries(v)
                    .into_iter()
                    .map(|(k, v)| format!("{k}: {}", canon(v.as_ref())))
                    .collect();
                e.sort();
                format!("{{{}}}", e.join(", "))
            }
            "list" => {
                let e: Vec<String> = items(v).iter().map(|i| canon(i.as_ref())).collect();
                format!("[{}]", e.join(", "))
            }
            _ => format!("{:?}", cel::Value::try_from(v)),
        }
    }

    /// The one document of `text`.
    fn parse(text: &str) -> Node {
        let doc = crate::yaml::split_documents(text).remove(0);
        crate::yaml::parse_document(text, &doc, 0)
            .expect("parses")
            .expect("a document")
    }

    fn run(expr: &str, c: BoxVal<'_>) -> Result<String, String> {
        let program = crate::rules::load::compile(expr).expect("compiles");
        let mut ctx = Context::with_env(crate::rules::eval::env());
        ctx.add_variable_as_val("c", c);
        program
            .evaluate(&ctx)
            .map(|v| canon(v.as_ref()))
            .map_err(|e| e.to_string())
    }

    /// Every operation on a mapping read in place gives what it gave on the built mapping.
    #[test]
    fn yaml_maps_read_in_place_behave_as_built_maps() {
        let text = "name: valkey\nargs: [--port, '6379']\nenv:\nnothing: ~\n\
                    dup: 1\ndup: 2\nloc: mine\nnum: 3\nflag: true\nratio: 0.5\nquoted: 'yes'\n\
                    list:\n  - {name: A, value: '1'}\n  - {name: B}\n\
                    nested: {deep: {list: [1, 2, 2], flag: true}, empty: {}}\n";
        let node = parse(text);
        let exprs = [
            "c",
            "c.name",
            "c.args",
            "size(c)",
            "size(c.nested)",
            // A built map's keys come in no particular order.
            "c.map(k, k).sort()",
            "c.nested.map(k, k).sort()",
            "c.filter(k, k != 'loc').sort()",
            "c.all(k, k != '')",
            "c.exists(k, k == 'env')",
            "has(c.env)",
            "has(c.nothing)",
            "has(c.name)",
            "'env' in c",
            "'name' in c",
            "'loc' in c",
            "1 in c",
            "c.dup",
            "c.loc",
            "c.num + 1",
            "c.flag && true",
            "c.ratio * 2.0",
            "c.quoted",
            "c['nested']['deep']",
            "c.nested.deep.list.distinct()",
            "c.nested.empty",
            "c.nested == c.nested",
            "c.nested.deep != c.nested",
            "c.list[1] == {'name': 'B', 'loc': c.list[1].loc}",
            "{'name': 'B', 'loc': c.list[1].loc} == c.list[1]",
            "{'name': 'B'} == c.list[1]",
            "c.list.exists(e, e == {'name': 'B', 'loc': e.loc})",
            "c.list.map(e, e.name)",
            "c.list.filter(e, has(e.value)).map(e, e.value)",
            "c.list.sortBy(e, e.name).map(e, e.name)",
            "[c.nested, c.nested].distinct().size()",
            "type(c.nested) == map && type(c.list) == list",
            "c.?nested.?deep.flag.orValue(false)",
            "c.?nope.orValue(1)",
            "dyn(c).nested.deep.flag",
            "{'at': c.nested}.at.deep",
            "[c.list[0]].map(x, x.value)",
            "c.nope",
            "c[1]",
            "c.name.nope",
            "c.list[5]",
            "c.nested.deep.list.nope",
        ];
        for expr in exprs {
            let lazy = run(expr, Box::new(YamlMap::new(&node, 3, None)));
            let built = run(expr, eager(&node, 3));
            assert_eq!(lazy, built, "{expr}");
        }
    }

    /// A map of the model answers as the interpreter's map with the same entries.
    #[test]
    fn field_maps_behave_as_built_maps() {
        // The same entries, set in the same order, as a `FieldMap` or as a built-in map.
        fn sample(field_map: bool) -> BoxVal<'static> {
            let inner = || -> Vec<(&'static str, BoxVal<'static>)> {
                vec![("deep", int(1)), ("list", texts(&["a", "b"]))]
            };
            let map = |entries: Vec<(&'static str, BoxVal<'static>)>| -> BoxVal<'static> {
                if field_map {
                    let mut f = Fields::default();
                    for (k, v) in entries {
                        f.insert(k, v);
                    }
                    f.build()
                } else {
                    let mut m = std::collections::HashMap::new();
                    for (k, v) in entries {
                        m.insert(CelMapKey::from(k), v);
                    }
                    Box::new(SharedMap::new(m))
                }
            };
            map(vec![
                ("name", text("first")),
                ("name", text("valkey")),
                ("num", int(3)),
                ("flag", boolean(true)),
                ("args", texts(&["--port", "6379"])),
                ("nested", map(inner())),
                ("empty", map(Vec::new())),
            ])
        }
        let exprs = [
            "c",
            "c.name",
            "size(c)",
            "c.map(k, k).sort()",
            "c.filter(k, k != 'name').sort()",
            "c.exists(k, k == 'num')",
            "has(c.name) && !has(c.nope)",
            "'num' in c",
            "1 in c",
            "c.num + 1",
            "c['nested']['deep']",
            "c.nested == c.nested",
            "c.nested == {'deep': 1, 'list': ['a', 'b']}",
            "{'deep': 1, 'list': ['a', 'b']} == c.nested",
            "c.nested != {'deep': 2, 'list': ['a', 'b']}",
            "c.empty == {} && size(c.empty) == 0",
            "c.args.map(a, a + '!')",
            "[c.nested, c.nested].distinct().size()",
            "type(c) == map",
            "c.?nested.?deep.orValue(0)",
            "c.?nope.orValue(1)",
            "c.nope",
            "c[1]",
            "c.name.nope",
        ];
        for expr in exprs {
            assert_eq!(run(expr, sample(true)), run(expr, sample(false)), "{expr}");
        }
    }

    /// The model's fields hide the YAML's, and lists left out read as `[]`.
    #[test]
    fn overlays_set_fields_and_default_lists() {
        let src = "name: yaml\nenv:\nports: [{containerPort: 1}]\n";
        let node = parse(src);
        let map = || -> BoxVal<'_> {
            Box::new(YamlMap::new(
                &node,
                0,
                Some(Overlay {
                    set: vec![("name", text("model"))],
                    empty_lists: &["env", "ports", "args"],
                }),
            ))
        };
        for (expr, want) in [
            ("c.name", "Ok(String(\"model\"))"),
            ("size(c.env) + size(c.args)", "Ok(Int(0))"),
            ("c.ports[0].containerPort", "Ok(Int(1))"),
            ("size(c)", "Ok(Int(5))"),
        ] {
            assert_eq!(run(expr, map()).expect(expr), want, "{expr}");
        }
    }

    /// A `loc` names its mapping, which is found again under its root.
    #[test]
    fn locs_name_their_mapping() {
        let text = "a:\n  b:\n    - {c: 1}\n    - d: {e: 2}\n";
        let node = parse(text);
        let inner = node.path(&["a", "b"]).expect("a.b").items()[1]
            .get("d")
            .expect("d");
        let l = loc(7, inner.span.start);
        let (root, start) = decode(l as usize).expect("a lazy loc");
        assert_eq!(root, 7);
        let found = find_map(&node, start).expect("found");
        assert!(std::ptr::eq(found, inner));
        assert_eq!(decode(12), None);
        assert_eq!(decode(usize::MAX), None);
    }
}
