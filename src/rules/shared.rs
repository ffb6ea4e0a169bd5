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

/// A boxed CEL value, as the interpreter binds it.
pub type BoxVal = Box<dyn Val>;

/// A `map` that copies by reference count.
#[derive(Debug, Clone)]
pub struct SharedMap(Arc<CelMap<'static>>);

/// A `list` that copies by reference count.
#[derive(Debug, Clone)]
pub struct SharedList(Arc<CelList<'static>>);

/// A `string` that copies by reference count.
#[derive(Debug, Clone)]
pub struct SharedStr(Arc<CelString<'static>>);

impl SharedMap {
    pub fn new(entries: HashMap<CelMapKey<'static>, BoxVal>) -> Self {
        SharedMap(Arc::new(CelMap::from(entries)))
    }
}

impl SharedList {
    pub fn new(items: Vec<BoxVal>) -> Self {
        SharedList(Arc::new(CelList::from(items)))
    }
}

impl SharedStr {
    pub fn new(s: &str) -> Self {
        SharedStr(Arc::new(CelString::from(s.to_string())))
    }
}

/// Everything but identity is the wrapped value's: the accessors borrow it.
macro_rules! delegate {
    ($ty:ident, $inner:ty, $variant:ident) => {
        impl Val for $ty {
            fn get_type(&self) -> &Type {
                self.0.get_type()
            }

            fn cel_type() -> &'static Type {
                <$inner as Val>::cel_type()
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

        impl Indexer for $ty {
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

delegate!(SharedMap, CelMap<'static>, Map);
delegate!(SharedList, CelList<'static>, List);
delegate!(SharedStr, CelString<'static>, String);

/// `v` as a shared interpreter value: maps, lists and strings are wrapped, at every depth.
pub fn to_val(v: &Value) -> BoxVal {
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
            let converted: Result<BoxVal, _> = other.clone().try_into();
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
