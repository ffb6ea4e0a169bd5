//! CEL values that are shared instead of copied.
//!
//! The `cel` interpreter copies a value whenever it needs to own one it only borrows: every
//! element a comprehension binds to its variable (`containers.exists(c, …)` copies each
//! container map, with everything inside it), every variable put into a list or map literal.
//! With the built-in map and list types that copy is deep, and it was a large share of the
//! evaluation time. The types here hold the built-in value behind an `Arc`, so a copy is a
//! reference count.
//!
//! To the interpreter they are the built-in values they wrap: every operation is delegated,
//! and `as_builtin` hands out the wrapped map, list or string, so conversions to
//! [`cel::Value`], equality and the downcasts that functions do see a plain `map`, `list`
//! or `string`. `as_builtin` and `into_builtin` are public but hidden in the crate's
//! documentation; the tests in this module pin the behaviour we rely on.

use cel::common::traits::{Adder, Comparer, Container, Indexer, Iterable, Sizer, Zeroer};
use cel::common::types::{
    CelBool, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString, CelUInt, Type,
};
use cel::common::value::{Builtin, BuiltinRef, CowVal, Val};
use cel::objects::Key;
use cel::{ExecutionError, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// A boxed CEL value, as the interpreter binds it; it may borrow strings for `'a`.
pub type BoxVal<'a> = Box<dyn Val + 'a>;

/// A `map` that copies by reference count.
#[derive(Debug, Clone)]
pub struct SharedMap<'a>(Arc<CelMap<'a>>);

/// A `list` that copies by reference count.
#[derive(Debug, Clone)]
pub struct SharedList<'a>(Arc<CelList<'a>>);

/// A `string` that copies by reference count (one that borrows copies cheaply as it is).
#[derive(Debug, Clone)]
pub struct SharedStr<'a>(Arc<CelString<'a>>);

impl<'a> SharedMap<'a> {
    pub fn new(entries: HashMap<CelMapKey<'a>, BoxVal<'a>>) -> Self {
        SharedMap(Arc::new(CelMap::from(entries)))
    }
}

impl<'a> SharedList<'a> {
    pub fn new(items: Vec<BoxVal<'a>>) -> Self {
        SharedList(Arc::new(CelList::from(items)))
    }
}

impl SharedStr<'static> {
    pub fn new(s: &str) -> Self {
        SharedStr(Arc::new(CelString::from(s.to_string())))
    }
}

/// Everything but identity is the wrapped value's: the accessors borrow it.
macro_rules! delegate {
    ($ty:ident, $inner:ident, $variant:ident) => {
        impl<'a> Val for $ty<'a> {
            fn get_type(&self) -> &Type {
                self.0.get_type()
            }

            fn cel_type() -> &'static Type {
                <$inner<'static> as Val>::cel_type()
            }

            fn as_adder<'b, 'v>(&'b self) -> Option<&'b (dyn Adder + 'v)>
            where
                Self: 'v,
            {
                self.0.as_adder()
            }

            fn as_comparer(&self) -> Option<&dyn Comparer> {
                self.0.as_comparer()
            }

            fn as_container(&self) -> Option<&dyn Container> {
                self.0.as_container()
            }

            fn as_indexer<'b, 'v>(&'b self) -> Option<&'b (dyn Indexer + 'v)>
            where
                Self: 'v,
            {
                self.0.as_indexer()
            }

            fn into_indexer<'v>(self: Box<Self>) -> Option<Box<dyn Indexer + 'v>>
            where
                Self: 'v,
            {
                // Indexing a value nothing else refers to: the element is shared, not moved.
                self.0
                    .as_indexer()
                    .is_some()
                    .then(|| self as Box<dyn Indexer>)
            }

            fn as_iterable<'b, 'v>(&'b self) -> Option<&'b (dyn Iterable + 'v)>
            where
                Self: 'v,
            {
                self.0.as_iterable()
            }

            fn as_sizer(&self) -> Option<&dyn Sizer> {
                self.0.as_sizer()
            }

            fn as_zeroer(&self) -> Option<&dyn Zeroer> {
                self.0.as_zeroer()
            }

            fn equals(&self, other: &dyn Val) -> bool {
                self.0.equals(other)
            }

            fn clone_as_boxed<'v>(&self) -> Box<dyn Val + 'v>
            where
                Self: 'v,
            {
                Box::new(self.clone())
            }

            fn as_builtin<'b, 'v>(&'b self) -> BuiltinRef<'b, 'v>
            where
                Self: 'v,
            {
                BuiltinRef::$variant(&self.0)
            }

            fn into_builtin<'v>(self: Box<Self>) -> Option<Builtin<'v>>
            where
                Self: 'v,
            {
                let inner = Arc::try_unwrap(self.0).unwrap_or_else(|shared| (*shared).clone());
                Some(Builtin::$variant(inner))
            }
        }

        impl<'a> Indexer for $ty<'a> {
            fn get<'b, 'v>(&'b self, idx: &dyn Val) -> Result<CowVal<'b, 'v>, ExecutionError>
            where
                Self: 'v,
            {
                match self.0.as_indexer() {
                    Some(indexer) => indexer.get(idx),
                    None => Err(ExecutionError::UnexpectedType {
                        got: self.0.get_type().name().to_owned(),
                        want: "map or list".to_owned(),
                    }),
                }
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
    };
}

delegate!(SharedMap, CelMap, Map);
delegate!(SharedList, CelList, List);
delegate!(SharedStr, CelString, String);

/// A string that borrows `s`: copies are free.
pub fn text(s: &str) -> BoxVal<'_> {
    Box::new(CelString::from(s))
}

/// A string of its own, shared by its copies.
pub fn owned(s: &str) -> BoxVal<'static> {
    Box::new(SharedStr::new(s))
}

pub fn int(i: i64) -> BoxVal<'static> {
    Box::new(CelInt::from(i))
}

pub fn boolean(b: bool) -> BoxVal<'static> {
    Box::new(CelBool::from(b))
}

pub fn list(items: Vec<BoxVal<'_>>) -> BoxVal<'_> {
    Box::new(SharedList::new(items))
}

/// A list of strings that borrow `items`.
pub fn texts<T: AsRef<str>>(items: &[T]) -> BoxVal<'_> {
    list(items.iter().map(|i| text(i.as_ref())).collect())
}

/// The entries of a map being built; a key set twice keeps its last value.
#[derive(Default)]
pub struct Fields<'a>(Vec<(&'a str, BoxVal<'a>)>);

impl<'a> Fields<'a> {
    pub fn with_capacity(n: usize) -> Self {
        Fields(Vec::with_capacity(n))
    }

    /// Sets `key` (borrowed: a name of the model, or a key of the YAML).
    pub fn insert(&mut self, key: &'a str, value: BoxVal<'a>) {
        self.0.push((key, value));
    }

    /// Sets `key` unless it is set.
    pub fn or_insert(&mut self, key: &'a str, value: impl FnOnce() -> BoxVal<'a>) {
        if !self.contains(key) {
            self.0.push((key, value()));
        }
    }

    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn get(&self, key: &str) -> Option<&(dyn Val + 'a)> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_ref())
    }

    pub fn build(self) -> BoxVal<'a> {
        Box::new(super::lazy::FieldMap::new(self.0))
    }
}

/// The value at `key` of a map (a built-in one or a [`super::lazy::YamlMap`]).
pub fn field<'b, 'a>(v: &'b (dyn Val + 'a), key: &str) -> Option<CowVal<'b, 'a>> {
    if v.get_type().name() != "map" {
        return None;
    }
    v.as_indexer()?.get(&CelString::from(key)).ok()
}

/// The string keys and values of a map.
pub fn entries<'b, 'a>(v: &'b (dyn Val + 'a)) -> Vec<(&'b str, CowVal<'b, 'a>)> {
    let (Some(keys), Some(indexer)) = (v.as_iterable(), v.as_indexer()) else {
        return Vec::new();
    };
    if v.get_type().name() != "map" {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut it = keys.iter();
    while let Some(k) = it.next() {
        if let (Some(name), Ok(value)) = (as_str(k), indexer.get(k)) {
            out.push((name, value));
        }
    }
    out
}

/// The elements of a list.
pub fn items<'b, 'a>(v: &'b (dyn Val + 'a)) -> &'b [BoxVal<'a>] {
    v.downcast_ref::<CelList>().map_or(&[], |l| l.inner())
}

/// The elements of a list, taken out of it (none when `v` is not a list), each [`share`]d.
pub fn into_items(v: BoxVal<'_>) -> Vec<BoxVal<'_>> {
    if v.downcast_ref::<CelList>().is_none() {
        return Vec::new();
    }
    match v.into_builtin() {
        Some(Builtin::List(list)) => list.into_inner().into_iter().map(share).collect(),
        _ => Vec::new(),
    }
}

/// `v` with its copies made by reference count: a map, list or string the interpreter built
/// (a `forEach` item from a map literal) is moved behind an `Arc`, which it would otherwise
/// copy whole each time it binds it.
pub fn share(v: BoxVal<'_>) -> BoxVal<'_> {
    let kind = v.get_type().name();
    if !matches!(kind, "map" | "list" | "string") {
        return v;
    }
    let is_builtin = match kind {
        "map" => v.downcast_ref::<CelMap>().is_some(),
        "list" => v.downcast_ref::<CelList>().is_some(),
        _ => v.downcast_ref::<CelString>().is_some(),
    };
    if !is_builtin {
        // A YAML mapping read in place: already cheap to copy.
        return v;
    }
    match v.into_builtin() {
        Some(Builtin::Map(m)) => Box::new(SharedMap(Arc::new(m))),
        Some(Builtin::List(l)) => Box::new(SharedList(Arc::new(l))),
        Some(Builtin::String(s)) => Box::new(SharedStr(Arc::new(s))),
        // Not reached: the value was found to be one of the three above.
        _ => Box::new(CelNull),
    }
}

pub fn as_int(v: &dyn Val) -> Option<i64> {
    v.downcast_ref::<CelInt>().map(|i| *i.inner())
}

pub fn as_bool(v: &dyn Val) -> Option<bool> {
    v.downcast_ref::<CelBool>().map(|b| *b.inner())
}

pub fn as_str(v: &dyn Val) -> Option<&str> {
    v.downcast_ref::<CelString>().map(|s| s.inner())
}

/// `v` as a shared interpreter value: maps, lists and strings are wrapped, at every depth.
pub fn to_val(v: &Value) -> BoxVal<'static> {
    match v {
        Value::List(items) => Box::new(SharedList::new(items.iter().map(to_val).collect())),
        Value::Map(m) => Box::new(SharedMap::new(
            m.map
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        Key::String(s) => CelMapKey::from(s.as_str().to_string()),
                        Key::Int(i) => CelMapKey::from(*i),
                        Key::Uint(u) => CelMapKey::from(*u),
                        Key::Bool(b) => CelMapKey::from(*b),
                    };
                    (key, to_val(v))
                })
                .collect(),
        )),
        Value::String(s) => Box::new(SharedStr::new(s)),
        Value::Int(i) => Box::new(CelInt::from(*i)),
        Value::UInt(u) => Box::new(CelUInt::from(*u)),
        Value::Bool(b) => Box::new(CelBool::from(*b)),
        Value::Null => Box::new(CelNull),
        other => {
            let converted: Result<BoxVal<'static>, _> = other.clone().try_into();
            converted.unwrap_or_else(|_| Box::new(CelNull))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cel::Context;

    /// `expr` over `vars`, bound as shared values or (`shared` false) by the crate itself.
    fn run(expr: &str, vars: &[(&str, Value)], shared: bool) -> Result<Value, ExecutionError> {
        let env = crate::rules::eval::env();
        let program = env.parser().parse(expr).expect("parses");
        let mut ctx = Context::with_env(env.clone());
        for (name, v) in vars {
            if shared {
                ctx.add_variable_as_val(*name, to_val(v));
            } else {
                ctx.add_variable(*name, v.clone()).expect("binds");
            }
        }
        Value::resolve(&program, &ctx)
    }

    fn sample() -> Value {
        let text = "name: valkey\nargs: [--port, '6379', --maxmemory, 1gb]\n\
                    env: [{name: A, value: '1'}, {name: B, value: '2'}]\n\
                    ports: [{containerPort: 6379}, {containerPort: 16379}]\n\
                    nested: {deep: {list: [1, 2, 3], flag: true}}\nempty: {}\nnone: []\n";
        let doc = crate::yaml::split_documents(text).remove(0);
        let node = crate::yaml::parse_document(text, &doc, 0)
            .expect("parses")
            .expect("a document");
        crate::rules::load::yaml_to_cel(&node)
    }

    /// Every operation on the wrapped values gives what it gives on the built-in ones.
    #[test]
    fn shared_values_behave_as_the_builtin_ones() {
        let exprs = [
            "c.name == 'valkey'",
            "c.name + '-x'",
            "c.name < 'zzz'",
            "c.name.startsWith('val') && c.name.size() == 6",
            "c.args.exists(a, a.matches('^--max'))",
            "c.args.map(a, a + '!')",
            "c.args.filter(a, a.startsWith('--'))",
            "c.args + ['--x']",
            "c.args[1]",
            "'--port' in c.args",
            "size(c.args)",
            "c.env.map(e, e.name)",
            "c.env.filter(e, e.value == '2')",
            "c.env.exists(e, e == {'name': 'A', 'value': '1'})",
            "c.env[0] == {'name': 'A', 'value': '1'}",
            "{'name': 'A', 'value': '1'} == c.env[0]",
            "c.env == [{'name': 'A', 'value': '1'}, {'name': 'B', 'value': '2'}]",
            "[{'at': c.nested}].map(x, x.at.deep.list)",
            "[{'at': c.nested}][0].at.deep.flag",
            "[c.nested][0]['deep']",
            "has(c.nested.deep) && !has(c.nested.nope)",
            "'deep' in c.nested",
            "c.nested.deep.list.all(i, i > 0)",
            "c.ports.map(p, p.containerPort).sort()",
            "c.ports.sortBy(p, -p.containerPort).map(p, p.containerPort)",
            "c.args.join(' ')",
            "c.empty == {} && c.none == [] && size(c.empty) == 0",
            "c.env.map(e, {'n': e.name, 'e': e})",
            "c",
            "dyn(c.nested).deep",
            "type(c.nested) == map && type(c.args) == list && type(c.name) == string",
            "c.?nested.?deep.flag.orValue(false)",
            "c.nested.deep.list.distinct()",
            "[c.args, c.args].flatten().size()",
        ];
        let vars = [("c", sample())];
        for expr in exprs {
            let shared = run(expr, &vars, true);
            let builtin = run(expr, &vars, false);
            assert_eq!(shared, builtin, "{expr}");
            assert!(shared.is_ok(), "{expr}: {shared:?}");
        }
        // Errors stay errors.
        for expr in ["c.nested.nope", "c.args[9]", "c.name.deep"] {
            assert!(run(expr, &vars, true).is_err(), "{expr}");
            assert!(run(expr, &vars, false).is_err(), "{expr}");
        }
    }
}
