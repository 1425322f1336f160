"""Header names → a guessed mapping, so a user rarely maps a column by hand.

Files come from Google Contacts (two CSV layouts), Outlook, HubSpot, Salesforce, Excel sheets
typed in English or French, Tandem's own exports and the vCard reader. Headers are compared
once normalised (case, accents, punctuation, spaces, "e-mail" = "email"), then recognised by
name, by the Google "Phone 1 - Value" pattern, or by their words ("Business Fax", "Code postal
de facturation"). A column is guessed only when every word of its header is understood, so
"Email Opt Out" is not taken for an e-mail. The user reviews the guess before importing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from tandem.persons.constants import REL_SUB_EMPLOYED_BY

ENTITY_TYPES = ("contacts", "organisations")
#: The languages whose headers are recognised, Tandem's own export headers included.
LANGUAGES = ("en", "fr")

EMPLOYED_BY = {
    "target": "relation",
    "relation_type": REL_SUB_EMPLOYED_BY,
    "target_type": "organisations",
    "match": "name",
    "create": True,
}
#: Targets that several columns may feed.
MULTI_VALUED = frozenset({"phones", "extra_emails", "properties"})
ADDRESSES = ("billing_address", "shipping_address")

_STOPWORDS = frozenset({"de", "du", "des", "d", "la", "le", "l", "s", "of", "the"})


def normalise(header: str) -> str:
    """A header reduced to lowercase unaccented words: "Adresse e-mail" → "adresse email",
    "firstName" → "first name", "Nom de l'entreprise" → "nom entreprise"."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(header))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    words = [word for word in re.split(r"[^0-9a-z]+", text) if word and word not in _STOPWORDS]
    return re.sub(r"\be mails?\b", lambda match: match[0].replace(" ", ""), " ".join(words))


def _names(text: str) -> tuple[str, ...]:
    """Headers written one after the other, separated by "|"."""
    return tuple(name.strip() for name in text.split("|"))


def _choice(name: str) -> dict[str, Any]:
    return {"target": name, "create_missing": True}


# --- Headers recognised whole -----------------------------------------------------------------

_CONTACT_FIELDS = {
    "first_name": "First Name | Firstname | First | Given Name | Given Names | Forename | Prénom "
    "| Prénoms",
    "last_name": "Last Name | Lastname | Last | Surname | Family Name | Nom | Nom de famille "
    "| Nom patronymique | Nom d'usage",
    "middle_name": "Middle Name | Middle Names | Middle | Additional Name | Additional Names "
    "| Second prénom | Deuxième prénom | Autres prénoms | Autre prénom",
    "prefix": "Prefix | Name Prefix | Honorific Prefix | Préfixe",
    "suffix": "Suffix | Name Suffix | Honorific Suffix | Suffixe",
    "nickname": "Nickname | Nick Name | Nick | Surnom | Pseudo | Pseudonyme | Alias",
    # One cell with the whole name (Google's "Name", Tandem's list export): the importer
    # splits it when no other column gives the first or last name.
    "full_name": "Name | Full Name | Display Name | Contact Name | Contact | Nom complet "
    "| Prénom et nom | Prénom nom | Nom et prénom | Nom prénom",
    "department": "Department | Dept | Division | Organization Department "
    "| Organisation Department | Service | Département",
    "birthday": "Birthday | Birth Date | Birthdate | Date of Birth | DOB | Born | Born On "
    "| Date de naissance | Anniversaire | Né le | Née le | Naissance",
}
_CONTACT_CHOICES = {
    "civility": "Civility | Civilité | Salutation | Courtesy Title",
    "position": "Job Title | Jobtitle | Job | Position | Role | Function | Organization Title "
    "| Organisation Title | Fonction | Poste | Titre du poste | Intitulé du poste "
    "| Intitulé de poste | Métier",
}
#: Taken only when no other column gives the same field.
_CONTACT_WEAK = {"position": "Occupation | Profession"}
_CONTACT_RELATION = (
    "Company | Company Name | Organisation | Organization | Organisation Name "
    "| Organization Name | Account Name | Employer | Société | Entreprise | Employeur "
    "| Raison sociale | Nom de l'entreprise | Nom de la société | Nom société | Nom entreprise "
    "| Organisme"
)
_ORGANISATION_FIELDS = {
    "name": "Name | Company | Company Name | Organisation | Organization | Organisation Name "
    "| Organization Name | Account Name | Account | Security | Raison sociale | Nom | Société "
    "| Entreprise | Nom de l'entreprise | Nom de la société | Nom société | Nom entreprise "
    "| Dénomination | Dénomination sociale | Nom commercial | Organisme",
    "siren": "SIREN | N° SIREN | Numéro SIREN | SIREN number | Code SIREN",
    "siret": "SIRET | N° SIRET | Numéro SIRET | SIRET number | Code SIRET",
    "naf": "NAF | Code NAF | NAF code | APE | Code APE | Code NAF/APE | NAF/APE",
    "rcs": "RCS | N° RCS | Numéro RCS | Registre du commerce",
    "vat_number": "VAT | VAT number | VAT No | VAT ID | Tax ID | TVA | N° TVA | Numéro de TVA "
    "| TVA intracommunautaire | N° TVA intracommunautaire | Numéro TVA intracommunautaire",
    "employees": "Employees | Number of Employees | Employee Count | Headcount "
    "| Nombre d'employés | Nombre de salariés | Salariés",
    "capital": "Capital | Capital social | Share Capital",
    "annual_revenue": "Annual Revenue | Revenue | Turnover | Chiffre d'affaires | CA | CA annuel "
    "| Chiffre d'affaires annuel",
    "creation_date": "Creation Date | Date Founded | Founded On | Founding Date "
    "| Date de création | Date création | Date d'immatriculation",
}
_ORGANISATION_CHOICES = {
    "legal_form": "Legal Form | Legal Status | Forme juridique | Statut juridique "
    "| Catégorie juridique",
    # "Effectif" is how Tandem's French export names the staff size.
    "staff_size": "Staff Size | Company Size | Size | Effectif | Effectifs | Tranche d'effectif "
    "| Tranche d'effectifs | Taille | Taille de l'entreprise",
}
_FOUNDING_YEAR = (
    "Founded | Year Founded | Founded Year | Founding Year | Année de création | Année création "
    "| Fondée en | Fondé en"
)
#: "City, State" in one cell (the S&P 500 list): the importer splits it.
_HEADQUARTERS = "Headquarters Location | Headquarters | HQ | HQ Location | Siège"
_COMMON_FIELDS = {
    "extra_emails": "Other Emails | Other Email Addresses | Extra Emails | Additional Emails "
    "| Autres e-mails | Autres adresses e-mail",
    "website": "Website | Websites | Web Site | Web Page | Webpage | Web | URL | Homepage "
    "| Home Page | Website URL | Company Domain Name | Domain | Site | Site web | Site internet "
    "| Site Web de l'entreprise",
    "description": "Notes | Note | Comments | Comment | Description | Remarks | Remark | Memo "
    "| About | Bio | Biography | Background Info | Remarques | Remarque | Commentaires "
    "| Commentaire | Observations | Observation | Mémo | Informations",
    "properties": "Tags | Tag | Categories | Category | Labels | Groups | Group Membership "
    "| Keywords | Properties | Catégories | Catégorie | Étiquettes | Étiquette | Mots-clés "
    "| Groupes | Propriétés",
    "owner": "Owner | Contact Owner | Company Owner | Account Owner | Record Owner | Lead Owner "
    "| Owner Username | Assigned To | Propriétaire | Responsable",
}
_COMMON_CHOICES = {
    "sector": "Sector | Industry | GICS Sector | Business Sector | Secteur "
    "| Secteur d'activité | Secteur d'activités | Industrie | Activité | Domaine d'activité",
}
#: Keys of the vCard reader's rows whose values are already structured (lists, dicts).
_VCARD_KEYS: dict[str, dict[str, Any]] = {
    "full_name": {"target": "full_name"},
    "billing_address": {"target": "billing_address"},
    "shipping_address": {"target": "shipping_address"},
    "extra_emails": {"target": "extra_emails"},
    "phones": {"target": "phones", "kind": "other"},
}
#: "Title" is a prefix (Mr., Dr.) in Outlook files, which also have "Job Title", and the
#: job title in Salesforce files and vCards, which do not.
_TITLES = ("title", "titre")

# --- Words that make up headers ---------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(normalise(name) for name in _names(text))


_PHONE_KINDS_BY_WORD = {
    "mobile": _words("mobile | cell | cellular | portable | gsm | cellulaire"),
    "fax": _words("fax | télécopie | telefax | facsimile"),
    "pager": _words("pager | beeper | bip | bipeur | radiomessagerie"),
}
_PHONE_WORDS = _words("phone | phones | telephone | telephones | tel | fixe").union(
    *_PHONE_KINDS_BY_WORD.values()
)
_PHONE_QUALIFIERS = {
    "work": _words(
        "business | work | office | company | bureau | professionnel | professionnelle | pro "
        "| travail | entreprise | société | standard | direct | ligne"
    ),
    "home": _words(
        "home | personal | private | domicile | personnel | personnelle | perso | privé | privée "
        "| maison"
    ),
    "other": _words(
        "other | autre | primary | main | principal | car | assistant | asst | callback | isdn "
        "| radio | tty | tdd | telex | video | voiture | secondary | alternate | additional"
    ),
}
_NUMBER_WORDS = _words("number | numbers | no | nr | num | numéro | numéros | n")
_KIND_PRIORITY = ("fax", "pager", "mobile", "work", "home", "other")

_EMAIL_WORDS = _words("email | emails | mail | mails | courriel | courriels | mél")
_EMAIL_QUALIFIERS = _words(
    "address | addresses | adresse | adresses | électronique | messagerie | value"
).union(*_PHONE_QUALIFIERS.values())

_ADDRESS_WORDS = _words("address | addresses | adresse | addr")
_ADDRESS_SLOTS = {
    "billing": _words(
        "business | work | office | billing | bureau | professionnel | professionnelle | pro "
        "| travail | facturation | entreprise | société | company"
    ),
    "shipping": _words(
        "home | shipping | delivery | personal | private | domicile | livraison | personnel "
        "| personnelle | perso | privé | privée"
    ),
    "untyped": _words("mailing | postal | postale | main | principal | principale"),
    "other": _words("other | autre | secondary | alternate"),
}
_ADDRESS_PARTS = {
    "street": "street | street address | rue | voie | address line | adresse ligne",
    "po_box": "po box | p o box | pobox | post office box | box | boîte postale | bp | postfach",
    "postal_code": "postal code | postcode | post code | zip | zip code | zipcode "
    "| zip postal code | postal zip code | code postal | cp | npa",
    "city": "city | town | ville | localité | commune | municipalité",
    "region": "state | region | province | county | state province | state region | état | canton",
    "country": "country | country region | pays | nation",
}
_GOOGLE = re.compile(r"(email|phone|address|website|organization|organisation) (\d+) (.+)")


@dataclass
class _Guess:
    target: dict[str, Any]
    weak: bool = False
    slot: str | None = None  # an address column: "billing", "shipping", "untyped", "google 1"…
    part: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


@lru_cache(maxsize=4)
def _table(entity_type: str, language: str) -> dict[str, _Guess]:
    """Whole header names → guesses, Tandem's field names in ``language`` included."""
    table: dict[str, _Guess] = {}

    def add(names: str, target: dict[str, Any], weak: bool = False) -> None:
        for name in _names(names):
            table.setdefault(normalise(name), _Guess(dict(target), weak=weak))

    if entity_type == "contacts":
        for name, headers in _CONTACT_FIELDS.items():
            add(headers, {"target": name})
        for name, headers in _CONTACT_CHOICES.items():
            add(headers, _choice(name))
        for name, headers in _CONTACT_WEAK.items():
            add(headers, _choice(name), weak=True)
        add(_CONTACT_RELATION, EMPLOYED_BY)
    else:
        for name, headers in _ORGANISATION_FIELDS.items():
            add(headers, {"target": name})
        for name, headers in _ORGANISATION_CHOICES.items():
            add(headers, _choice(name))
        add(_FOUNDING_YEAR, {"target": "creation_date", "parse": "year"})
        for name in _names(_HEADQUARTERS):
            table.setdefault(
                normalise(name),
                _Guess({}, slot="billing", part="city", options={"split": "city_region"}),
            )
    for name, headers in _COMMON_FIELDS.items():
        add(headers, {"target": name})
    for name, headers in _COMMON_CHOICES.items():
        add(headers, _choice(name))
    for header, guess in _model_names(entity_type, language).items():
        table.setdefault(header, guess)
    return table


def _model_names(entity_type: str, language: str) -> dict[str, _Guess]:
    """The headers of Tandem's own exports: each field's verbose name in ``language``."""
    from tandem.core.models import Property
    from tandem.persons.models import Address, Contact, Organisation

    model = Contact if entity_type == "contacts" else Organisation
    plain = {"email", "extra_emails", "website", "description"}
    choices = {"sector"}
    if entity_type == "contacts":
        plain |= {"prefix", "first_name", "middle_name", "last_name", "suffix", "nickname"}
        plain |= {"department"}
        choices |= {"civility", "position"}
    else:
        plain |= {"name", "siren", "siret", "naf", "rcs", "vat_number", "employees"}
        plain |= {"capital", "annual_revenue", "creation_date"}
        choices |= {"legal_form", "staff_size"}
    table: dict[str, _Guess] = {}
    with translation.override(language):
        for name in sorted(plain | choices):
            target = _choice(name) if name in choices else {"target": name}
            table[normalise(model._meta.get_field(name).verbose_name)] = _Guess(target)
        table[normalise(model._meta.get_field("phones").verbose_name)] = _Guess(
            {"target": "phones", "kind": "other"}
        )
        table[normalise(model._meta.get_field("owner").verbose_name)] = _Guess({"target": "owner"})
        table[normalise(Property._meta.verbose_name_plural)] = _Guess({"target": "properties"})
        if entity_type == "contacts":
            # The export's birthday column, and its column of the employment relation.
            table[normalise(gettext("Birthday"))] = _Guess({"target": "birthday"})
            table[normalise(gettext("is an employee of"))] = _Guess(dict(EMPLOYED_BY))
        for address, slot in zip(ADDRESSES, ("billing", "shipping"), strict=True):
            address_name = normalise(model._meta.get_field(address).verbose_name)
            for part in Address.editable_fields:
                part_name = normalise(Address._meta.get_field(part).verbose_name)
                for header in (f"{address_name} {part_name}", f"{part_name} {address_name}"):
                    table[header] = _Guess({}, slot=slot, part=part)
    return table


@lru_cache(maxsize=1)
def _part_phrases() -> list[tuple[list[str], str]]:
    """Address part phrases as word lists, longest first, with Tandem's verbose names in both
    languages."""
    from tandem.persons.models import Address

    phrases = {
        normalise(phrase): part
        for part, items in _ADDRESS_PARTS.items()
        for phrase in _names(items)
    }
    for language in LANGUAGES:
        with translation.override(language):
            for part in Address.editable_fields:
                phrases.setdefault(normalise(Address._meta.get_field(part).verbose_name), part)
    return sorted(
        ((phrase.split(), part) for phrase, part in phrases.items()), key=lambda item: -len(item[0])
    )


# --- Recognising one header -------------------------------------------------------------------


def _phone_kind(words: list[str], entity_type: str) -> str | None:
    """The phone kind a header's words name, or None when they are not all phone words."""
    if not any(word in _PHONE_WORDS for word in words):
        return None
    kinds = set()
    for word in words:
        if word.isdigit() or word in _NUMBER_WORDS:
            continue
        found = [kind for kind, known in _PHONE_KINDS_BY_WORD.items() if word in known]
        found += [kind for kind, known in _PHONE_QUALIFIERS.items() if word in known]
        if not found and word not in _PHONE_WORDS:
            return None
        kinds.update(found)
    for kind in _KIND_PRIORITY:
        if kind in kinds:
            return kind
    return "work" if entity_type == "organisations" else "other"


def _is_email(words: list[str]) -> bool:
    return any(word in _EMAIL_WORDS for word in words) and all(
        word in _EMAIL_WORDS or word in _EMAIL_QUALIFIERS or word.isdigit() for word in words
    )


def _address(words: list[str], entity_type: str) -> tuple[str, str] | None:
    """(slot, part) when the words name an address part, optionally typed ("Home City",
    "Code postal de facturation", "Business Address PO Box")."""
    words = [word for word in words if not word.isdigit()]
    phrases = _part_phrases()
    if entity_type == "organisations":  # a company's "département" is where it is
        phrases = [*phrases, (["departement"], "region")]
    for phrase, part in phrases:
        for start in range(len(words) - len(phrase) + 1):
            if words[start : start + len(phrase)] == phrase:
                slot = _address_slot(words[:start] + words[start + len(phrase) :])
                return (slot, part) if slot else None
    if any(word in _ADDRESS_WORDS for word in words):
        slot = _address_slot(words)
        return (slot, "street") if slot else None
    return None


def _address_slot(words: list[str]) -> str | None:
    slots = set()
    for word in words:
        if word in _ADDRESS_WORDS:
            continue
        found = [slot for slot, known in _ADDRESS_SLOTS.items() if word in known]
        if not found:
            return None
        slots.update(found)
    if len(slots) > 1:
        return None
    return slots.pop() if slots else "untyped"


def _google(match: re.Match[str], entity_type: str, columns: dict[str, str]) -> _Guess | None:
    """Google Contacts' numbered columns: "Phone 1 - Value" with its "Phone 1 - Type"…"""
    kind, number, rest = match[1], match[2], match[3]
    paired = columns.get(f"{kind} {number} type") or columns.get(f"{kind} {number} label")
    with_kind = {"kind_column": paired} if paired else {}
    if kind == "email":
        return _Guess({"target": "email"}) if rest == "value" else None
    if kind == "phone":
        return (
            _Guess({"target": "phones", "kind": "other", **with_kind}) if rest == "value" else None
        )
    if kind == "website":
        return _Guess({"target": "website"}) if rest == "value" else None
    if kind == "address":
        for phrase, part in _part_phrases():
            if rest.split() == phrase:
                return _Guess({}, slot=f"google {number}", part=part, options=with_kind)
        return None
    if rest == "name":
        target = EMPLOYED_BY if entity_type == "contacts" else {"target": "name"}
        return _Guess(dict(target))
    if entity_type == "contacts" and rest == "title":
        return _Guess(_choice("position"))
    if entity_type == "contacts" and rest == "department":
        return _Guess({"target": "department"})
    return None


def _guess_one(column: str, entity_type: str, columns: dict[str, str]) -> _Guess | None:
    if column in _VCARD_KEYS:
        return _Guess(dict(_VCARD_KEYS[column]))
    key = normalise(column)
    if not key:
        return None
    if match := _GOOGLE.fullmatch(key):
        guess = _google(match, entity_type, columns)
        if guess or match[1] != "email":  # else Outlook's "E-mail 2 Address", read below
            return guess
    for language in LANGUAGES:
        if guess := _table(entity_type, language).get(key):
            return guess
    words = key.split()
    without_numbers = " ".join(word for word in words if not word.isdigit())
    if without_numbers != key:
        for language in LANGUAGES:
            if guess := _table(entity_type, language).get(without_numbers):
                return guess
    if _is_email(words):
        return _Guess({"target": "email"})
    if kind := _phone_kind(words, entity_type):
        return _Guess({"target": "phones", "kind": kind})
    if found := _address(words, entity_type):
        return _Guess({}, slot=found[0], part=found[1])
    if key.startswith(("website ", "web site ", "site web ", "site internet ")):
        return _Guess({"target": "website"})
    return None


def _relation_headers(entity_type: str) -> dict[str, _Guess]:
    """Tandem's exports name a relation column after its type ("is a customer of"): such a
    header finds its records by name, among the type's objects (organisations when it allows
    several types). Read from the database on each guess: users add their own types."""
    from tandem.core.models import RelationType
    from tandem.core.registry import entity_types

    subject = entity_types.for_slug(entity_type).content_type.pk
    table: dict[str, _Guess] = {}
    relation_types = RelationType.objects.filter(enabled=True, is_internal=False)
    for relation_type in relation_types.prefetch_related("subject_types", "reverse__subject_types"):
        subjects = {content_type.pk for content_type in relation_type.subject_types.all()}
        if subjects and subject not in subjects:
            continue
        objects = {
            entity_types.for_content_type(content_type).slug
            for content_type in relation_type.reverse.subject_types.all()
            if content_type.model_class() in entity_types
        }
        if len(objects) == 1:
            target_type = objects.pop()
        elif not objects or "organisations" in objects:
            target_type = "organisations"
        else:
            continue
        target = {
            "target": "relation",
            "relation_type": relation_type.pk,
            "target_type": target_type,
            "match": "name",
            "create": False,
        }
        for language in LANGUAGES:
            with translation.override(language):
                table.setdefault(normalise(str(relation_type)), _Guess(target))
    return table


# --- The mapping ------------------------------------------------------------------------------


def guess_mapping(columns: list[str], entity_type: str) -> dict[str, dict[str, Any]]:
    """Guess a target for each column recognised; the others are left out (not imported).

    When two columns would fill the same single-valued field the first one wins, except that
    further e-mail columns become other e-mail addresses. Typed addresses (home, business…)
    take their address; an untyped one, or a Google "Address N", takes the first address left.
    """
    if entity_type not in ENTITY_TYPES:
        raise ValueError(f"unknown entity type {entity_type!r}")
    by_key = {normalise(column): column for column in reversed(columns)}
    guesses: dict[str, _Guess] = {}
    relation_headers: dict[str, _Guess] | None = None
    for column in columns:
        if normalise(column) in _TITLES and entity_type == "contacts":
            continue
        if guess := _guess_one(column, entity_type, by_key):
            guesses[column] = guess
            continue
        if relation_headers is None:
            relation_headers = _relation_headers(entity_type)
        if guess := relation_headers.get(normalise(column)):
            guesses[column] = guess
    if entity_type == "contacts":
        has_position = any(
            guess.target.get("target") == "position" and not guess.weak
            for guess in guesses.values()
        )
        for column in columns:
            if normalise(column) in _TITLES:
                guesses[column] = _Guess(
                    {"target": "prefix"} if has_position else _choice("position")
                )
    mapping: dict[str, dict[str, Any]] = {}
    taken: set[Any] = set()
    order = {column: position for position, column in enumerate(columns)}
    fields = [column for column in columns if column in guesses and guesses[column].part is None]
    for column in sorted(fields, key=lambda column: (guesses[column].weak, order[column])):
        target = dict(guesses[column].target)
        name = target["target"]
        if name not in MULTI_VALUED:
            key = (name, target.get("relation_type"))
            if key in taken:
                if name != "email":
                    continue
                target = {"target": "extra_emails"}
            taken.add(key)
        mapping[column] = target
    mapping.update(_addresses([column for column in columns if column in guesses], guesses))
    return {column: mapping[column] for column in columns if column in mapping}


def _addresses(columns: list[str], guesses: dict[str, _Guess]) -> dict[str, dict[str, Any]]:
    """Address columns → ``billing_address.<part>`` / ``shipping_address.<part>``."""
    slots: dict[str, list[str]] = {}
    for column in columns:
        if guesses[column].slot:
            slots.setdefault(guesses[column].slot, []).append(column)
    chosen = {
        slot: address
        for slot, address in (("billing", ADDRESSES[0]), ("shipping", ADDRESSES[1]))
        if slot in slots
    }
    free = [address for address in ADDRESSES if address not in chosen.values()]
    for slot in slots:  # in order of first appearance
        if slot not in chosen and free:
            chosen[slot] = free.pop(0)
    mapping: dict[str, dict[str, Any]] = {}
    filled: set[str] = set()
    for slot, slot_columns in slots.items():
        if slot not in chosen:
            continue
        for column in slot_columns:
            guess = guesses[column]
            target = f"{chosen[slot]}.{guess.part}"
            if target in filled:
                continue
            filled.add(target)
            mapping[column] = {"target": target, **guess.options}
    return mapping
