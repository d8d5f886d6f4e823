//! The operations a row names, run on the locked world: list, show, create, update, delete and
//! archive, with nesting under a parent, filters, validation and the collection's hooks.

use super::{
    Answer, Req, World,
    store::id_text,
    table::{Collection, Hook, Ids, Op, Rule, Table},
};
use crate::kit::{Fail, Problem, body::json_object};
use axum::http::Method;
use serde_json::{Map, Value, json};

/// Runs row `op` of `table` for `req`.
pub(super) fn run<S>(
    table: &Table<S>,
    world: &mut World<S>,
    op: &Op<S>,
    req: &Req,
) -> Result<Answer, Fail> {
    let mut engine = Ops { table, world, req };
    match *op {
        Op::List(name) => engine.list(table.spec(name)),
        Op::Show(name) => engine.show(table.spec(name)),
        Op::Create(name) => engine.create(table.spec(name)),
        Op::Update(name) => engine.update(table.spec(name)),
        Op::Delete(name) => engine.delete(table.spec(name)),
        Op::Archive(name) => engine.archive(table.spec(name)),
        Op::Custom(handler) => handler(engine.world, req),
    }
}

struct Ops<'a, S> {
    table: &'a Table<S>,
    world: &'a mut World<S>,
    req: &'a Req,
}

impl<S> Ops<'_, S> {
    fn not_found(&self, c: &Collection<S>) -> Fail {
        self.table.dialect.not_found(c.name)
    }

    /// The parent a nested route names (its first path parameter), which must exist, with the key
    /// its children name it by; `None` for a route that is not nested. `addressed`: the route's
    /// last parameter is the object's own id, so a nested route has two.
    fn parent(
        &self,
        c: &Collection<S>,
        addressed: bool,
    ) -> Result<Option<(&'static str, Value)>, Fail> {
        let params = &self.req.params;
        let (Some((parent, key)), Some((_, parent_id))) = (c.parent, params.first()) else {
            return Ok(None);
        };
        if addressed && params.len() < 2 {
            return Ok(None);
        }
        let found = self.world.store.get(parent, parent_id);
        let found = found.ok_or_else(|| self.table.dialect.not_found(parent))?;
        Ok(Some((key, found["id"].clone())))
    }

    /// The object the path's last parameter names, under its parent on a nested route.
    fn find(&self, c: &Collection<S>) -> Result<Value, Fail> {
        let parent = self.parent(c, true)?;
        let object = self.world.store.get(c.name, self.req.id());
        object
            .filter(|o| parent.as_ref().is_none_or(|(key, id)| o[*key] == *id))
            .cloned()
            .ok_or_else(|| self.not_found(c))
    }

    fn list(&mut self, c: &Collection<S>) -> Result<Answer, Fail> {
        let parent = self.parent(c, false)?;
        let given = self.list_params(c);
        let search = given.iter().find(|(k, _)| Some(k.as_str()) == c.search);
        let search = search.map(|(_, v)| v.to_lowercase());
        let wanted: Vec<&(String, String)> = given
            .iter()
            .filter(|(k, _)| c.filters.contains(&k.as_str()))
            .collect();
        let mut items: Vec<Value> = self
            .world
            .store
            .all(c.name)
            .iter()
            .filter(|o| parent.as_ref().is_none_or(|(key, id)| o[*key] == *id))
            .filter(|o| {
                wanted
                    .iter()
                    .all(|(k, v)| o.get(k).is_some_and(|f| text_of(f) == *v))
            })
            .filter(|o| search.as_ref().is_none_or(|s| mentions(o, s)))
            .cloned()
            .collect();
        if c.newest_first {
            items.reverse();
        }
        for item in &mut items {
            if let Some(object) = item.as_object_mut() {
                c.unlisted.iter().for_each(|f| drop(object.remove(*f)));
            }
        }
        Ok(Answer::List(items))
    }

    /// The parameters a list request gives: the query string's and, on a GET, a JSON body's too
    /// (some APIs document list filters as body parameters of a GET). A collection that neither
    /// filters nor searches reads no body, so a stray one changes nothing.
    fn list_params(&self, c: &Collection<S>) -> Vec<(String, String)> {
        let mut given: Vec<(String, String)> = self.req.query.clone();
        let filters = !c.filters.is_empty() || c.search.is_some();
        if self.req.method == Method::GET && filters {
            let body = json_object(&self.req.body).unwrap_or_default();
            given.extend(body.iter().map(|(k, v)| (k.clone(), text_of(v))));
        }
        given
    }

    fn show(&mut self, c: &Collection<S>) -> Result<Answer, Fail> {
        self.find(c).map(Answer::Object)
    }

    fn create(&mut self, c: &Collection<S>) -> Result<Answer, Fail> {
        let given = self.validate(c, true)?;
        let parent = self.parent(c, false)?;
        self.unique(c, &given, None)?;
        let id = match c.ids {
            Ids::Sequential => json!(self.world.store.next_id(c.name)),
            Ids::With(new) => new(),
        };
        let mut object = Map::from_iter([("id".to_string(), id)]);
        if let Some((key, parent_id)) = parent {
            object.insert(key.into(), parent_id);
        }
        let mut values = given;
        for (field, default) in &c.defaults {
            values
                .entry(field.clone())
                .or_insert_with(|| default.clone());
        }
        let ordered = c.fields.iter().map(|f| f.to_string());
        let rest: Vec<String> = values
            .keys()
            .filter(|k| !c.fields.contains(&k.as_str()))
            .cloned()
            .collect();
        for field in ordered.chain(rest) {
            if let Some(value) = values.remove(&field) {
                object.entry(field).or_insert(value);
            }
        }
        let mut object = Value::Object(object);
        self.hook(c.before_create, &mut object)?;
        self.stamp(c.created, &mut object);
        self.world.start_job(c.name, &mut object);
        self.world.store.insert(c.name, object.clone());
        self.hook(c.after_create, &mut object.clone())?;
        Ok(Answer::Created(object))
    }

    fn update(&mut self, c: &Collection<S>) -> Result<Answer, Fail> {
        let given = self.validate(c, false)?;
        let mut object = self.find(c)?;
        let id = id_text(&object["id"]);
        self.unique(c, &given, Some(&id))?;
        for (field, value) in given {
            object[field.as_str()] = value;
        }
        self.save(c, &id, object)
    }

    fn archive(&mut self, c: &Collection<S>) -> Result<Answer, Fail> {
        let mut object = self.find(c)?;
        let id = id_text(&object["id"]);
        let (field, value) = &c.archive;
        object[*field] = value.clone();
        self.save(c, &id, object)
    }

    /// Stores a changed object, with the update hooks around it.
    fn save(&mut self, c: &Collection<S>, id: &str, mut object: Value) -> Result<Answer, Fail> {
        self.hook(c.before_update, &mut object)?;
        self.stamp(c.updated, &mut object);
        if let Some(stored) = self.world.store.get_mut(c.name, id) {
            *stored = object.clone();
        }
        self.hook(c.after_update, &mut object.clone())?;
        Ok(Answer::Object(object))
    }

    fn delete(&mut self, c: &Collection<S>) -> Result<Answer, Fail> {
        let mut object = self.find(c)?;
        self.hook(c.before_delete, &mut object)?;
        let id = id_text(&object["id"]);
        self.world.store.remove(c.name, &id);
        self.remove_children(c.name, &object["id"]);
        self.hook(c.after_delete, &mut object)?;
        Ok(Answer::Deleted(object))
    }

    /// A parent takes its children (and theirs) with it.
    fn remove_children(&mut self, parent: &str, parent_id: &Value) {
        for child in &self.table.collections {
            let Some((_, key)) = child.parent.filter(|(of, _)| *of == parent) else {
                continue;
            };
            let items = self.world.store.all_mut(child.name);
            let gone: Vec<Value> = items
                .iter()
                .filter(|o| o[key] == *parent_id)
                .map(|o| o["id"].clone())
                .collect();
            items.retain(|o| o[key] != *parent_id);
            for id in gone {
                self.remove_children(child.name, &id);
            }
        }
    }

    /// The writable fields the body gives, checked by the collection's rules (all but uniqueness,
    /// which needs the store) in order. The body is checked before the store is looked at, so a
    /// bad body answers the same whatever the path names.
    fn validate(&self, c: &Collection<S>, creating: bool) -> Result<Map<String, Value>, Fail> {
        let dialect = &self.table.dialect;
        let fields = dialect.fields();
        let params = dialect.params(self.req, c.wrap)?;
        let fail = |field: &str, problem| (fields.fail)(field, problem);
        let mut given = Map::new();
        for (field, value) in &params {
            let writable = c.fields.is_empty() || c.fields.contains(&field.as_str());
            if writable && !fields.is_absent(value) {
                given.insert(field.clone(), value.clone());
            }
        }
        for rule in &c.rules {
            let field = rule.field();
            let value = given.get(field).cloned();
            let checked = match (*rule, value) {
                (Rule::Required(_), None) if creating => return Err(fail(field, Problem::Missing)),
                (Rule::Always(_), None) => return Err(fail(field, Problem::Missing)),
                (_, None) | (Rule::Required(_) | Rule::Always(_) | Rule::Unique(_), Some(_)) => {
                    continue;
                }
                (Rule::Text(_), Some(v)) => json!(fields.as_text(&v, field)?),
                (Rule::Email(_), Some(v)) => json!(fields.as_email(&v, field)?),
                (Rule::MaxLen(_, max), Some(v)) => {
                    if text_of(&v).chars().count() > max {
                        return Err(fail(field, Problem::TooLong(max)));
                    }
                    v
                }
                (Rule::OneOf(_, allowed), Some(v)) => {
                    if !allowed.contains(&text_of(&v).as_str()) {
                        return Err(fail(field, Problem::NotAllowed));
                    }
                    v
                }
                (Rule::Check(_, check), Some(v)) => check(&v)?,
            };
            given.insert(field.into(), checked);
        }
        Ok(given)
    }

    /// Refuses a value another object of the collection already has (`except` is the object being
    /// updated).
    fn unique(
        &self,
        c: &Collection<S>,
        given: &Map<String, Value>,
        except: Option<&str>,
    ) -> Result<(), Fail> {
        for rule in &c.rules {
            let Rule::Unique(field) = *rule else { continue };
            let Some(value) = given.get(field) else {
                continue;
            };
            let others = self.world.store.all(c.name).iter();
            let mut others = others.filter(|o| except.is_none_or(|id| id_text(&o["id"]) != id));
            if others.any(|o| o[field] == *value) {
                return Err((self.table.dialect.fields().fail)(field, Problem::Taken));
            }
        }
        Ok(())
    }

    fn stamp(&self, field: Option<&'static str>, object: &mut Value) {
        if let Some(field) = field {
            object[field] = self.table.dialect.timestamp();
        }
    }

    fn hook(&mut self, hook: Option<Hook<S>>, object: &mut Value) -> Result<(), Fail> {
        hook.map_or(Ok(()), |hook| hook(self.world, self.req, object))
    }
}

/// A value as a query string would spell it.
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether any string or number in the object contains `needle` (lowercase), ignoring case.
fn mentions(v: &Value, needle: &str) -> bool {
    match v {
        Value::String(s) => s.to_lowercase().contains(needle),
        Value::Number(n) => n.to_string().contains(needle),
        Value::Array(items) => items.iter().any(|i| mentions(i, needle)),
        Value::Object(map) => map.values().any(|i| mentions(i, needle)),
        _ => false,
    }
}
