"""Identifiers of the persons' built-in relation and property types (stable across installs)."""

REL_SUB_EMPLOYED_BY = "persons-subject_employed_by"
REL_OBJ_EMPLOYED_BY = "persons-object_employed_by"
REL_SUB_CUSTOMER_SUPPLIER = "persons-subject_customer_supplier"
REL_OBJ_CUSTOMER_SUPPLIER = "persons-object_customer_supplier"
REL_SUB_MANAGES = "persons-subject_manages"
REL_OBJ_MANAGES = "persons-object_manages"
REL_SUB_PROSPECT = "persons-subject_prospect"
REL_OBJ_PROSPECT = "persons-object_prospect"
REL_SUB_SUSPECT = "persons-subject_suspect"
REL_OBJ_SUSPECT = "persons-object_suspect"
REL_SUB_PARTNER = "persons-subject_partner"
REL_OBJ_PARTNER = "persons-object_partner"
REL_SUB_INACTIVE = "persons-subject_inactive_customer"
REL_OBJ_INACTIVE = "persons-object_inactive_customer"
REL_SUB_SUBSIDIARY = "persons-subject_subsidiary"
REL_OBJ_SUBSIDIARY = "persons-object_subsidiary"
REL_SUB_COMPETITOR = "persons-subject_competitor"
REL_OBJ_COMPETITOR = "persons-object_competitor"

PROP_IS_VIP = "persons-is_vip"
PROP_IS_SALESMAN = "persons-is_salesman"

#: The name install gives the first managed organisation, in each language: the home page asks
#: to rename it while it still has one of these.
DEFAULT_MANAGED_NAMES = ("ReplaceByYourCompany", "RemplacezParVotreSociété")
