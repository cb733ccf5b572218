//! `JsonBody<T>`: a data guard that reads JSON and names the field at fault when it cannot.

use rocket::data::{self, Data, FromData, ToByteUnit};
use rocket::outcome::Outcome;
use rocket::Request;
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::error::{stash, AppError};

/// A JSON request body, parsed with the path of any failing field.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    /// The parsed value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// Parses JSON bytes, turning serde errors into 400 (syntax) or 422 (data) with the field. Every
/// string is checked first (`api::text`: no NUL character, dates within 1900–2100).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut value = Unique(String::new())
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| from_serde(".", e))?;
    super::text::check_json(&value)?;
    whole_numbers(&mut value);
    serde_path_to_error::deserialize::<_, T>(Strict(&value)).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        from_serde(&path, inner)
    })
}

/// What serde is told when a list is sent where an object is read.
const NOT_AN_OBJECT: &str = "expected a JSON object, not a list";

/// A JSON value read as `&serde_json::Value` reads it, but strictly: an object (a struct) is
/// read only from a JSON object, never from a list of its fields in order (serde's sequence form
/// of a struct, which would pass by the unknown- and duplicate-field checks and the documented
/// schema), at any depth.
struct Strict<'a>(&'a serde_json::Value);

impl<'de> serde::de::IntoDeserializer<'de, serde_json::Error> for Strict<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> Deserializer<'de> for Strict<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        use serde::de::value::{MapDeserializer, SeqDeserializer};
        use serde_json::Value;
        match self.0 {
            Value::Array(items) => {
                SeqDeserializer::new(items.iter().map(Strict)).deserialize_any(visitor)
            }
            Value::Object(map) => {
                MapDeserializer::new(map.iter().map(|(k, v)| (k.as_str(), Strict(v))))
                    .deserialize_any(visitor)
            }
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        if self.0.is_array() {
            return Err(serde::de::Error::custom(NOT_AN_OBJECT));
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        if self.0.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

/// Writes every number with a zero fraction (`5.0`) as the integer it is: JSON (and the OpenAPI
/// document's `integer`) does not tell them apart, serde does.
fn whole_numbers(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64() {
                if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 {
                    *v = serde_json::Value::from(f as i64);
                }
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(whole_numbers),
        serde_json::Value::Object(m) => m.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

/// Reads a JSON value as `serde_json::Value` does, but refuses an object naming a field twice
/// (serde_json keeps the last silently): `duplicate field `<path>`` naming the field's path
/// (`sessions[0].venue`). The seed is the path of the value read.
struct Unique(String);

impl<'de> DeserializeSeed<'de> for Unique {
    type Value = serde_json::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Unique {
    type Value = serde_json::Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = vec![];
        while let Some(v) = seq.next_element_seed(Unique(format!("{}[{}]", self.0, items.len())))? {
            items.push(v);
        }
        Ok(serde_json::Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = match self.0.as_str() {
                "" => key.clone(),
                parent => format!("{parent}.{key}"),
            };
            if fields.contains_key(&key) {
                return Err(serde::de::Error::custom(format_args!(
                    "duplicate field `{path}`"
                )));
            }
            let value = map.next_value_seed(Unique(path))?;
            fields.insert(key, value);
        }
        Ok(serde_json::Value::Object(fields))
    }
}

/// At most `max` characters of `s` (an ellipsis marking a cut): what a caller sent, named back.
fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_string(),
    }
}

fn from_serde(path: &str, e: serde_json::Error) -> AppError {
    use serde_json::error::Category;
    let raw = e.to_string();
    // serde_json appends " at line L column C"; keep the reason only. It may quote the caller's
    // own text (an unknown field's name, a value): named back clipped.
    let reason = match raw.rfind(" at line ") {
        Some(i) => raw[..i].to_string(),
        None => raw,
    };
    let mut field = if path == "." || path == "?" || path.is_empty() {
        None
    } else {
        Some(clip(path, 100))
    };
    if let Some(name) = reason
        .strip_prefix("duplicate field `")
        .and_then(|r| r.strip_suffix('`'))
    {
        // Serde's own words for a struct's field given twice name the field only.
        let name = clip(
            &match &field {
                Some(p) if !name.contains(['.', '[']) => format!("{p}.{name}"),
                _ => name.to_string(),
            },
            100,
        );
        return AppError::Validation {
            msg: crate::msg!(JsonDuplicateField, name = name),
            field: Some(name),
            details: vec![],
        };
    }
    if let Some(name) = reason
        .strip_prefix("missing field `")
        .and_then(|r| r.strip_suffix('`'))
    {
        field = Some(match field {
            Some(p) => format!("{p}.{name}"),
            None => name.to_string(),
        });
    }
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => AppError::BadRequest {
            field,
            msg: crate::msg!(JsonMalformed, detail = clip(&reason, 300)),
        },
        Category::Data => {
            let msg = data_msg(&reason, field.as_deref());
            AppError::Validation {
                msg: match &field {
                    Some(f) if msg.reason == crate::error::Reason::JsonInvalid => {
                        crate::msg!(JsonInvalid, detail = clip(&format!("{f}: {reason}"), 300))
                    }
                    _ => msg,
                },
                field,
                details: vec![],
            }
        }
    }
}

/// What a value of the type serde names in "expected …" is, as a message words it (a word of
/// `reasons::WORDS_VI`, so said in Vietnamese too); `None` for a type no message names.
fn expected_kind(expected: &str) -> Option<&'static str> {
    const WHOLE: [&str; 12] = [
        "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
    ];
    Some(match expected {
        e if WHOLE.contains(&e) => "a whole number",
        "f32" | "f64" => "a number",
        "a string" | "a borrowed string" | "string" | "a string or null" => "text",
        "a boolean" => "true or false",
        e if e.starts_with("a sequence") => "a list",
        e if e.starts_with("struct ") || e.starts_with("a map") => "an object",
        _ => return None,
    })
}

/// chrono's words for a day it could not read.
const DAY_UNREAD: [&str; 5] = [
    "input is out of range",
    "input contains invalid characters",
    "premature end of input",
    "trailing input",
    "input is not enough for unique date and time",
];

/// The reason of serde's message about a value of `field`: an unknown field (with the fields
/// expected), a missing one, a value of the wrong type or a day chrono could not read (in the
/// message's language), or any other (its words as the detail).
fn data_msg(reason: &str, field: Option<&str>) -> crate::error::Msg {
    let field = field.unwrap_or("body").to_string();
    if let Some((_, expected)) = reason
        .strip_prefix("invalid type: ")
        .or_else(|| reason.strip_prefix("invalid value: "))
        .and_then(|r| r.rsplit_once(", expected "))
    {
        if let Some(kind) = expected_kind(expected) {
            return crate::msg!(JsonWrongType, field = clip(&field, 100), expected = kind);
        }
    }
    if DAY_UNREAD.contains(&reason) {
        return crate::msg!(JsonNotADay, field = clip(&field, 100));
    }
    if let Some(rest) = reason.strip_prefix("unknown field `") {
        if let Some((name, expected)) = rest.split_once("`, expected ") {
            let expected = expected.strip_prefix("one of ").unwrap_or(expected);
            return crate::msg!(JsonUnknownField, name = clip(name, 60), expected = expected);
        }
    }
    if let Some(name) = reason
        .strip_prefix("missing field `")
        .and_then(|r| r.strip_suffix('`'))
    {
        return crate::msg!(JsonMissingField, name = clip(name, 60));
    }
    if reason == NOT_AN_OBJECT {
        return crate::msg!(JsonNotAnObject);
    }
    crate::msg!(JsonInvalid, detail = clip(reason, 300))
}

#[rocket::async_trait]
impl<'r, T: DeserializeOwned> FromData<'r> for JsonBody<T> {
    type Error = AppError;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let limit = req.limits().get("json").unwrap_or(1.mebibytes());
        let fail = |e: AppError| Outcome::Error((e.status(), stash(req, e)));
        // A body declared as something else (text, a form) is not read as JSON: 415. One sent
        // without a Content-Type is read as JSON.
        if let Some(ct) = req.content_type() {
            if !(ct.is_json() || ct.sub().as_str().to_ascii_lowercase().ends_with("+json")) {
                return fail(AppError::UnsupportedMediaType(crate::msg!(
                    JsonMediaType,
                    given = ct.media_type().to_string()
                )));
            }
        }
        let bytes = match data.open(limit).into_bytes().await {
            Ok(b) if b.is_complete() => b.into_inner(),
            Ok(_) => {
                return fail(AppError::PayloadTooLarge {
                    field: None,
                    msg: crate::msg!(JsonTooLarge, limit = limit.to_string()),
                })
            }
            Err(e) => {
                return fail(AppError::BadRequest {
                    field: None,
                    msg: crate::msg!(BodyUnreadable, detail = e.to_string()),
                })
            }
        };
        if bytes.is_empty() {
            return fail(AppError::BadRequest {
                field: None,
                msg: crate::msg!(JsonRequired),
            });
        }
        match parse_json::<T>(&bytes) {
            Ok(v) => Outcome::Success(JsonBody(v)),
            Err(e) => fail(e),
        }
    }
}
