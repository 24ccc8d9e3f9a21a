//! Finding the header field, and rejecting one that is visibly not inline.
//!
//! The rule, in order:
//! 1. A field marked `#[referent(header)]` is the header. Two marks are an
//!    error.
//! 2. Otherwise the header is the one field whose type is a path ending in
//!    `Header` with no generic arguments. Two are an error.
//! 3. No candidate: if a field is visibly a pointer to a header (`&Header`,
//!    `Box<Header>`, `Arc<Header>`...), the error says the header must be
//!    inline; otherwise it says to add a header field.
//!
//! The chosen field is rejected here when its type is visibly a pointer, and
//! its type is checked to be exactly `Header` by the generated code (see
//! `weakref_core::__private::HeaderField`), which also catches aliases.

use syn::{
    Data, DeriveInput, Field, GenericArgument, Ident, Member, Path, PathArguments, Type, TypePath,
};

use crate::attr::{self, Errors};

/// Finds the header field (see the module docs for the rule). Returns how to
/// reach it and its type.
pub(crate) fn header_field<'a>(
    input: &'a DeriveInput,
    errors: &mut Errors,
) -> syn::Result<(Member, &'a Type)> {
    let fields = match &input.data {
        Data::Struct(data) => &data.fields,
        Data::Enum(data) => return Err(not_a_struct(&data.enum_token, &input.ident)),
        Data::Union(data) => return Err(not_a_struct(&data.union_token, &input.ident)),
    };
    let mut marked = Vec::new();
    let mut by_type = Vec::new();
    for (index, field) in fields.iter().enumerate() {
        if let Some(mark) = attr::header_mark(&field.attrs, errors) {
            marked.push((index, field, mark));
        } else if header_path(&field.ty).is_some() {
            by_type.push((index, field));
        }
    }
    if let Some(((index, field, _), rest)) = marked.split_first() {
        for (_, _, mark) in rest {
            errors.push(syn::Error::new_spanned(
                mark,
                "two header fields marked `#[referent(header)]`: a referent has exactly \
                 one header; remove the mark from all fields but one",
            ));
        }
        return inline(*index, field);
    }
    if let Some(((index, field), rest)) = by_type.split_first() {
        for (_, field) in rest {
            errors.push(syn::Error::new_spanned(
                field,
                "two header fields: a referent has exactly one header; remove one, \
                 or mark the one to use with `#[referent(header)]`",
            ));
        }
        return inline(*index, field);
    }
    if let Some(field) = fields.iter().find(|field| points_to_header(&field.ty)) {
        return Err(behind_pointer(&field.ty).expect("a pointer to a header is a pointer"));
    }
    Err(syn::Error::new_spanned(
        &input.ident,
        "missing header field: add a field of type `weakref::Header`, \
         or mark the header field with `#[referent(header)]`",
    ))
}

/// The member and type of the field at `index`, or the error if its type is
/// visibly a pointer.
fn inline(index: usize, field: &Field) -> syn::Result<(Member, &Type)> {
    match behind_pointer(&field.ty) {
        Some(error) => Err(error),
        None => Ok((member(index, field), &field.ty)),
    }
}

/// How to reach the field at `index`: its name, or its index in a tuple struct.
fn member(index: usize, field: &Field) -> Member {
    field
        .ident
        .clone()
        .map_or(Member::from(index), Member::Named)
}

/// The error for an enum or a union, spanned on `enum Name` or `union Name`.
fn not_a_struct(keyword: &impl quote::ToTokens, ident: &Ident) -> syn::Error {
    syn::Error::new_spanned(
        quote::quote!(#keyword #ident),
        "`#[derive(Referent)]` only supports structs: put a `weakref::Header` \
         field in a struct and derive it there",
    )
}

/// `ty` without the invisible groups and parentheses around it.
fn unwrap(ty: &Type) -> &Type {
    match ty {
        // `$ty` from a `macro_rules!` arrives wrapped in an invisible group.
        Type::Group(group) => unwrap(&group.elem),
        Type::Paren(paren) => unwrap(&paren.elem),
        ty => ty,
    }
}

/// The path of `ty` if it ends in `Header` with no generic arguments.
fn header_path(ty: &Type) -> Option<&Path> {
    match unwrap(ty) {
        Type::Path(TypePath { qself: None, path }) => path
            .segments
            .last()
            .is_some_and(|last| last.ident == "Header" && last.arguments.is_none())
            .then_some(path),
        _ => None,
    }
}

/// What `ty` visibly is when it is a pointer (`&T`, `*const T`, `Box<T>`,
/// `Arc<T>`, `Rc<T>`, `Pin<T>`), for the message, with the pointee.
fn pointer(ty: &Type) -> Option<(&'static str, &Type)> {
    match unwrap(ty) {
        Type::Reference(reference) => Some(("a reference", &reference.elem)),
        Type::Ptr(pointer) => Some(("a raw pointer", &pointer.elem)),
        Type::Path(TypePath { qself: None, path }) => {
            let last = path.segments.last()?;
            let what = match last.ident.to_string().as_str() {
                "Box" => "a `Box`",
                "Arc" => "an `Arc`",
                "Rc" => "an `Rc`",
                "Pin" => "a `Pin`",
                _ => return None,
            };
            let PathArguments::AngleBracketed(arguments) = &last.arguments else {
                return None;
            };
            let pointee = arguments.args.iter().find_map(|argument| match argument {
                GenericArgument::Type(ty) => Some(ty),
                _ => None,
            })?;
            Some((what, pointee))
        }
        _ => None,
    }
}

/// Whether `ty` is a pointer to a type named `Header`, possibly through
/// several pointers (`Pin<Box<Header>>`).
fn points_to_header(ty: &Type) -> bool {
    pointer(ty)
        .is_some_and(|(_, pointee)| header_path(pointee).is_some() || points_to_header(pointee))
}

/// The error for a header field whose type is visibly a pointer, if it is.
fn behind_pointer(ty: &Type) -> Option<syn::Error> {
    let (what, _) = pointer(ty)?;
    Some(syn::Error::new_spanned(
        ty,
        format!(
            "the header field must be a `weakref::Header` itself, not behind {what}: \
             each object needs its own header, stored inline; declare the field's type \
             as `Header`"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use proc_macro2::{Delimiter, Group};
    use quote::quote;
    use syn::{DeriveInput, parse_quote};

    use super::header_field;
    use crate::attr::Errors;

    /// The header field's name, or every error message, for `input`.
    fn pick(input: &DeriveInput) -> Result<String, Vec<String>> {
        let mut errors = Errors::default();
        let header = header_field(input, &mut errors);
        match errors.finish(header) {
            Ok((member, _)) => Ok(quote!(#member).to_string()),
            Err(error) => Err(error.into_iter().map(|e| e.to_string()).collect()),
        }
    }

    fn behind(what: &str) -> String {
        format!(
            "the header field must be a `weakref::Header` itself, not behind {what}: \
             each object needs its own header, stored inline; declare the field's type \
             as `Header`"
        )
    }

    const MISSING: &str = "missing header field: add a field of type `weakref::Header`, \
                           or mark the header field with `#[referent(header)]`";
    const NOT_A_STRUCT: &str = "`#[derive(Referent)]` only supports structs: put a \
                                `weakref::Header` field in a struct and derive it there";

    #[test]
    fn the_one_field_named_header_is_the_header() {
        let input = parse_quote!(
            struct S {
                a: u8,
                h: Header,
            }
        );
        assert_eq!(pick(&input), Ok("h".to_owned()));
        let input = parse_quote!(
            struct S(u8, ::weakref_core::__private::Header);
        );
        assert_eq!(pick(&input), Ok("1".to_owned()));
        // `$ty:ty` from a `macro_rules!` arrives as a type in an invisible group.
        let ty = Group::new(Delimiter::None, quote!(Header));
        let input = syn::parse2(quote!(struct S { h: #ty })).unwrap();
        assert_eq!(pick(&input), Ok("h".to_owned()));
    }

    #[test]
    fn two_headers_are_rejected() {
        let two = "two header fields: a referent has exactly one header; remove one, \
                   or mark the one to use with `#[referent(header)]`";
        let input = parse_quote!(
            struct S {
                a: Header,
                b: weakref::Header,
                c: Header,
            }
        );
        assert_eq!(pick(&input), Err(vec![two.to_owned(), two.to_owned()]));
    }

    #[test]
    fn two_marks_are_rejected() {
        let input = parse_quote! {
            struct S(#[referent(header)] Header, #[referent(header)] Header);
        };
        assert_eq!(
            pick(&input),
            Err(vec![
                "two header fields marked `#[referent(header)]`: a referent has exactly one \
                 header; remove the mark from all fields but one"
                    .to_owned()
            ])
        );
    }

    #[test]
    fn a_header_behind_a_pointer_is_rejected() {
        let cases: [(DeriveInput, &str); 7] = [
            (
                parse_quote!(
                    struct S {
                        h: &'static Header,
                    }
                ),
                "a reference",
            ),
            (
                parse_quote!(
                    struct S {
                        h: *const weakref::Header,
                    }
                ),
                "a raw pointer",
            ),
            (
                parse_quote!(
                    struct S {
                        h: Box<Header>,
                    }
                ),
                "a `Box`",
            ),
            (
                parse_quote!(
                    struct S {
                        h: std::sync::Arc<Header>,
                    }
                ),
                "an `Arc`",
            ),
            (
                parse_quote!(
                    struct S {
                        h: Rc<Header>,
                    }
                ),
                "an `Rc`",
            ),
            (
                parse_quote!(
                    struct S {
                        h: Pin<Box<Header>>,
                    }
                ),
                "a `Pin`",
            ),
            (
                parse_quote!(
                    struct S {
                        #[referent(header)]
                        h: Box<Slot>,
                    }
                ),
                "a `Box`",
            ),
        ];
        for (input, what) in cases {
            assert_eq!(pick(&input), Err(vec![behind(what)]), "{}", quote!(#input));
        }
        // A marked pointer is rejected even beside a real header.
        let input = parse_quote!(
            struct S(Header, #[referent(header)] Arc<Header>);
        );
        assert_eq!(pick(&input), Err(vec![behind("an `Arc`")]));
    }

    #[test]
    fn a_pointer_beside_the_header_is_just_data() {
        let input = parse_quote!(
            struct S {
                parent: Arc<Header>,
                h: Header,
            }
        );
        assert_eq!(pick(&input), Ok("h".to_owned()));
    }

    #[test]
    fn missing_header_is_rejected() {
        assert_eq!(
            pick(&parse_quote!(
                struct S;
            )),
            Err(vec![MISSING.to_owned()])
        );
        let input = parse_quote!(
            struct S {
                a: u8,
                b: Header<u8>,
                c: Vec<Header>,
            }
        );
        assert_eq!(pick(&input), Err(vec![MISSING.to_owned()]));
    }

    #[test]
    fn enum_and_union_are_rejected() {
        let input = parse_quote!(
            enum E {
                A(Header),
            }
        );
        assert_eq!(pick(&input), Err(vec![NOT_A_STRUCT.to_owned()]));
        let input = parse_quote!(union U { h: Header });
        assert_eq!(pick(&input), Err(vec![NOT_A_STRUCT.to_owned()]));
    }
}
