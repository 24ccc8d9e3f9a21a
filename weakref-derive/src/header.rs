//! Finding the header field, and rejecting one that is visibly not inline.
//!
//! The rule, in order:
//! 1. A field marked `#[referent(header)]` is the header. Two marks are an
//!    error.
//! 2. Otherwise the candidates are the fields whose type is a path ending in
//!    `Header` with no generic arguments. Each is ranked by how surely it
//!    names this library's header:
//!    - first, a path that spells it: `weakref::Header`, `weakref_core::Header`
//!      (with or without a leading `::`, or `::__private::` before `Header`),
//!      or the `#[referent(crate = "path")]` path followed by `::Header`;
//!    - then the bare name `Header` (what `use weakref::Header;` lets one write);
//!    - last, any other path ending in `Header` (`proto::Header`, `self::Header`).
//!
//!    The header is the one candidate of the best rank present. Two or more
//!    of that rank are ambiguous: the error asks to mark one, since a field
//!    that is not the header is just data and never needs removing.
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

/// How sure a candidate is to name this library's header (best first).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    /// `weakref::Header`, `weakref_core::Header`, `<crate path>::Header`.
    Library,
    /// A bare `Header`.
    Bare,
    /// Any other path ending in `Header`.
    Other,
}

/// Finds the header field (see the module docs for the rule). Returns how to
/// reach it and its type.
pub(crate) fn header_field<'a>(
    input: &'a DeriveInput,
    krate: Option<&Path>,
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
        } else if let Some(rank) = header_path(&field.ty).map(|path| rank(path, krate)) {
            by_type.push((index, field, rank));
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
    if let Some(best) = by_type.iter().map(|(_, _, rank)| *rank).min() {
        let mut best = by_type.iter().filter(|(_, _, rank)| *rank == best);
        let (first, header, _) = best.next().expect("the best rank has a candidate");
        for (other, field, _) in best {
            errors.push(syn::Error::new_spanned(
                field,
                format!(
                    "ambiguous header field: `{}` and `{}` both have a type named `Header`; \
                     mark the one that is the referent's `weakref::Header` with `#[referent(header)]`",
                    name(&member(*first, header)),
                    name(&member(*other, field)),
                ),
            ));
        }
        return inline(*first, header);
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

/// The field's name for a message: `name`, or `0` in a tuple struct.
fn name(member: &Member) -> String {
    match member {
        Member::Named(ident) => ident.to_string(),
        Member::Unnamed(index) => index.index.to_string(),
    }
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

/// How surely `path` (which ends in `Header`) names this library's header.
fn rank(path: &Path, krate: Option<&Path>) -> Rank {
    let Some(prefix) = plain_idents(path) else {
        return Rank::Other;
    };
    let mut prefix = &prefix[..prefix.len() - 1];
    if prefix.is_empty() {
        return Rank::Bare;
    }
    if let [rest @ .., last] = prefix {
        if last == "__private" {
            prefix = rest;
        }
    }
    let library = match prefix {
        [one] => one == "weakref" || one == "weakref_core",
        _ => false,
    };
    let named_crate = krate
        .and_then(plain_idents)
        .is_some_and(|krate| without_self(&krate) == without_self(prefix));
    if library || named_crate {
        Rank::Library
    } else {
        Rank::Other
    }
}

/// The identifiers of `path` (a leading `::` dropped), if it has no generics.
fn plain_idents(path: &Path) -> Option<Vec<Ident>> {
    path.segments
        .iter()
        .map(|segment| segment.arguments.is_none().then(|| segment.ident.clone()))
        .collect()
}

/// `idents` without a leading `self`: `self::wc` and `wc` name the same thing.
fn without_self(idents: &[Ident]) -> &[Ident] {
    match idents {
        [first, rest @ ..] if first == "self" => rest,
        idents => idents,
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

    use super::{header_field, name};
    use crate::attr::{Errors, StructAttrs};

    /// The header field's name, or every error message, for `input`.
    fn pick(input: &DeriveInput) -> Result<String, Vec<String>> {
        let mut errors = Errors::default();
        let attrs = StructAttrs::parse(&input.attrs, &mut errors);
        let header = header_field(input, attrs.krate.as_ref(), &mut errors);
        match errors.finish(header) {
            Ok((member, _)) => Ok(name(&member)),
            Err(error) => Err(error.into_iter().map(|e| e.to_string()).collect()),
        }
    }

    fn ambiguous(first: &str, other: &str) -> String {
        format!(
            "ambiguous header field: `{first}` and `{other}` both have a type named `Header`; \
             mark the one that is the referent's `weakref::Header` with `#[referent(header)]`"
        )
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
        // Even a foreign-looking path, when it is the only one: the
        // generated code then checks its type.
        let input = parse_quote!(
            struct S {
                h: proto::Header,
            }
        );
        assert_eq!(pick(&input), Ok("h".to_owned()));
        // `$ty:ty` from a `macro_rules!` arrives as a type in an invisible group.
        let ty = Group::new(Delimiter::None, quote!(Header));
        let input = syn::parse2(quote!(struct S { h: #ty })).unwrap();
        assert_eq!(pick(&input), Ok("h".to_owned()));
    }

    #[test]
    fn a_path_to_this_library_beats_a_bare_name_which_beats_other_paths() {
        let input = parse_quote!(
            struct S {
                a: proto::Header,
                b: weakref::Header,
            }
        );
        assert_eq!(pick(&input), Ok("b".to_owned()));
        let input = parse_quote!(
            struct S {
                a: Header,
                b: weakref_core::Header,
            }
        );
        assert_eq!(pick(&input), Ok("b".to_owned()));
        let input = parse_quote!(
            struct S {
                a: Header,
                b: ::weakref::__private::Header,
            }
        );
        assert_eq!(pick(&input), Ok("b".to_owned()));
        let input = parse_quote!(
            struct S(proto::Header, Header, self::Header);
        );
        assert_eq!(pick(&input), Ok("1".to_owned()));
        let input = parse_quote!(
            struct S {
                a: proto::Header,
                b: Header<u8>,
                c: Header,
            }
        );
        assert_eq!(pick(&input), Ok("c".to_owned()));
    }

    #[test]
    fn the_crate_attribute_path_names_this_library() {
        let input = parse_quote! {
            #[referent(crate = "::my::wr")]
            struct S { a: Header, b: my::wr::Header, c: wr::Header }
        };
        assert_eq!(pick(&input), Ok("b".to_owned()));
        let input = parse_quote! {
            #[referent(crate = "self::wc")]
            struct S { a: Header, b: wc::Header }
        };
        assert_eq!(pick(&input), Ok("b".to_owned()));
        // Without the attribute, a renamed crate is just another path.
        let input = parse_quote!(
            struct S {
                a: Header,
                b: wr::Header,
            }
        );
        assert_eq!(pick(&input), Ok("a".to_owned()));
    }

    #[test]
    fn a_tie_asks_for_a_mark_and_never_for_a_removal() {
        let input = parse_quote!(
            struct S {
                a: Header,
                b: weakref::Header,
                c: Header,
                d: Header,
            }
        );
        assert_eq!(pick(&input), Ok("b".to_owned()));
        let input = parse_quote!(
            struct S {
                a: Header,
                b: u8,
                c: Header,
                d: Header,
            }
        );
        assert_eq!(
            pick(&input),
            Err(vec![ambiguous("a", "c"), ambiguous("a", "d")])
        );
        let input = parse_quote!(
            struct S(proto::Header, other::Header);
        );
        let errors = pick(&input).unwrap_err();
        assert_eq!(errors, [ambiguous("0", "1")]);
        assert!(errors.iter().all(|error| !error.contains("remove")));
        // A mark settles it.
        let input = parse_quote!(
            struct S {
                a: Header,
                #[referent(header)]
                c: Header,
            }
        );
        assert_eq!(pick(&input), Ok("c".to_owned()));
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
