//! Enums stored as text: a status, a role or a kind is decoded into its Rust enum as the row is
//! read (an unknown stored name is a decoding error, not a string compared later) and bound by
//! its stored name. [`text_enum!`](crate::text_enum) implements sqlx's `Type`, `Encode` and
//! `Decode` for both backends from the enum's `as_str(self) -> &'static str` and
//! `parse(&str) -> Option<Self>`.

/// Implements sqlx's text `Type`, `Encode` and `Decode` on SQLite and PostgreSQL for an enum with
/// `as_str(self) -> &'static str` and `parse(&str) -> Option<Self>`.
#[macro_export]
macro_rules! text_enum {
    ($t:ty) => {
        $crate::text_enum!(@backend $t, sqlx::Sqlite);
        $crate::text_enum!(@backend $t, sqlx::Postgres);
    };
    (@backend $t:ty, $db:ty) => {
        impl sqlx::Type<$db> for $t {
            fn type_info() -> <$db as sqlx::Database>::TypeInfo {
                <&str as sqlx::Type<$db>>::type_info()
            }
            fn compatible(ty: &<$db as sqlx::Database>::TypeInfo) -> bool {
                <&str as sqlx::Type<$db>>::compatible(ty)
            }
        }
        impl<'r> sqlx::Decode<'r, $db> for $t {
            fn decode(
                value: <$db as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let s = <&str as sqlx::Decode<'r, $db>>::decode(value)?;
                <$t>::parse(s).ok_or_else(|| {
                    format!("{s:?} is not a stored {}", stringify!($t)).into()
                })
            }
        }
        impl<'q> sqlx::Encode<'q, $db> for $t {
            fn encode_by_ref(
                &self,
                buf: &mut <$db as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<'q, $db>>::encode_by_ref(&self.as_str(), buf)
            }
        }
    };
}
