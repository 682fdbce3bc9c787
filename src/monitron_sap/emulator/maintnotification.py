"""The entity model of SAP's ``API_MAINTNOTIFICATION`` OData V2 service, as the emulator serves it.

Property names, types, ``MaxLength`` and the creatable/updatable flags follow the service's
later release (a superset of the 2021 release). ``scripts/edmx_to_model.py`` prints a first draft
of the property tables from a ``$metadata`` file. The read-only, non-addressable
``LinearAssetManagementData`` entity set of that release is not modelled.
"""

from __future__ import annotations

from monitron_sap.emulator.edm import (
    CREATE_ONLY,
    DATETIME,
    DATETIMEOFFSET,
    READ_ONLY,
    TIME,
    Association,
    EntityType,
    FunctionImport,
    NavigationProperty,
    Property,
    Schema,
    boolean,
    date,
    double,
    int32,
    string,
    time,
    timestamp,
)

SERVICE_PATH = "/sap/opu/odata/sap/API_MAINTNOTIFICATION"
NAMESPACE = "cds_api_maintnotification"
CONTAINER = "cds_api_maintnotification_Entities"

NOTIFICATION_SET = "MaintenanceNotification"
ITEM_SET = "MaintenanceNotificationItem"
CAUSE_SET = "MaintNotificationItemCause"
ACTIVITY_SET = "MaintNotificationItemActivity"
PARTNER_SET = "MaintenanceNotificationPartner"
EFFECT_SET = "MaintNotificationEffectCode"

_HEADER_PROPERTIES = (
    string("MaintenanceNotification", 12, READ_ONLY, nullable=False, upper=True),
    string("MaintNotifInternalID", 22, READ_ONLY, upper=True),
    string("NotificationText", 40, nullable=False),
    string("MaintPriority", 1, upper=True),
    string("NotificationType", 2, CREATE_ONLY, upper=True),
    string("NotifProcessingPhase", 1, READ_ONLY, upper=True),
    string("NotifProcessingPhaseDesc", 60, READ_ONLY),
    string("MaintPriorityDesc", 20, READ_ONLY),
    date("CreationDate", READ_ONLY),
    time("LastChangeTime", READ_ONLY),
    date("LastChangeDate", READ_ONLY),
    timestamp("LastChangeDateTime", READ_ONLY),
    time("CreationTime", READ_ONLY),
    string("ReportedByUser", 12, upper=True),
    string("ReporterFullName", 80, READ_ONLY),
    string("PersonResponsible", 12, upper=True),
    string("MalfunctionEffect", 1, upper=True),
    string("MalfunctionEffectText", 40, READ_ONLY),
    date("MalfunctionStartDate"),
    time("MalfunctionStartTime"),
    date("MalfunctionEndDate"),
    time("MalfunctionEndTime"),
    string("MaintNotificationCatalog", 1, READ_ONLY, upper=True),
    string("MaintNotificationCode", 4, upper=True),
    string("MaintNotificationCodeGroup", 8, upper=True),
    string("CatalogProfile", 9, READ_ONLY, upper=True),
    date("NotificationCreationDate"),
    time("NotificationCreationTime"),
    string("NotificationTimeZone", 6, READ_ONLY, upper=True),
    date("RequiredStartDate"),
    time("RequiredStartTime"),
    date("RequiredEndDate"),
    time("RequiredEndTime"),
    date("LatestAcceptableCompletionDate"),
    boolean("MaintenanceObjectIsDown"),
    string("MaintNotificationLongText", None, READ_ONLY),
    string("MaintNotifLongTextForEdit", 1333),
    string("MaintRequestEditableLongText"),
    string("TechnicalObject", 40, upper=True),
    string("TechObjIsEquipOrFuncnlLoc", 20, upper=True),
    string("TechnicalObjectLabel", 40, READ_ONLY, upper=True),
    string("MaintenancePlanningPlant", 4, upper=True),
    string("MaintenancePlannerGroup", 3, upper=True),
    string("PlantSection", 3, upper=True),
    string("ABCIndicator", 1, READ_ONLY, upper=True),
    string("SuperiorTechnicalObject", 40, READ_ONLY, upper=True),
    string("SuperiorTechnicalObjectName", 40, READ_ONLY),
    string("SuperiorObjIsEquipOrFuncnlLoc", 20, READ_ONLY, upper=True),
    string("SuperiorTechnicalObjectLabel", 40, READ_ONLY, upper=True),
    string("ManufacturerPartTypeName", 20, READ_ONLY),
    string("TechObjIsEquipOrFuncnlLocDesc", 40, READ_ONLY),
    string("FunctionalLocation", 30, READ_ONLY, upper=True),
    string("FunctionalLocationLabelName", 40, READ_ONLY, upper=True),
    string("TechnicalObjectDescription", 40, READ_ONLY),
    string("AssetLocation", 10, upper=True),
    string("LocationName", 40, READ_ONLY),
    string("BusinessArea", 4, READ_ONLY, upper=True),
    string("CompanyCode", 4, READ_ONLY, upper=True),
    string("TechnicalObjectCategory", 1, READ_ONLY, upper=True),
    string("TechnicalObjectType", 10, READ_ONLY, upper=True),
    string("MainWorkCenterPlant", 4, upper=True),
    string("MainWorkCenter", 8, upper=True),
    string("PlantName", 30, READ_ONLY),
    string("MaintenancePlannerGroupName", 18, READ_ONLY),
    string("MaintenancePlant", 4, upper=True),
    string("LocationDescription", 50),
    string("MainWorkCenterText", 40, READ_ONLY),
    string("MainWorkCenterPlantName", 30, READ_ONLY),
    string("MaintenancePlantName", 30, READ_ONLY),
    string("PlantSectionPersonRespName", 14, READ_ONLY),
    string("ABCIndicatorDesc", 20, READ_ONLY),
    string("PersonResponsibleName", 35, READ_ONLY),
    string("MaintenanceOrder", 12, upper=True),
    string("MaintenanceOrderType", 4, READ_ONLY, upper=True),
    string("ConcatenatedActiveSystStsName", 224, READ_ONLY),
    string("MaintNotifProcessingContext", 2, upper=True),
    string("MaintenanceActivityType", 3, upper=True),
    string("MaintObjDowntimeDurationUnit", 3),
    double("MaintObjectDowntimeDuration"),
    string("MaintenancePlan", 12, READ_ONLY, upper=True),
    string("MaintenanceItem", 16, READ_ONLY, upper=True),
    string("TaskListGroup", 8, READ_ONLY, upper=True),
    string("TaskListGroupCounter", 2, READ_ONLY, upper=True),
    int32("MaintenancePlanCallNumber", READ_ONLY),
    string("MaintenanceTaskListType", 1, READ_ONLY, upper=True),
    string("TaskList", 13),
    date("NotificationReferenceDate"),
    time("NotificationReferenceTime"),
    date("NotificationCompletionDate", READ_ONLY),
    time("CompletionTime", READ_ONLY),
    string("AssetRoom", 8, upper=True),
    string("MaintNotifExtReferenceNumber", 20, upper=True),
    string("MaintNotifRejectionReasonCode", 3, READ_ONLY, upper=True),
    string("MaintNotifRejectionRsnCodeTxt", 40, READ_ONLY),
    string("MaintNotifDetectionCatalog", 2, READ_ONLY, upper=True),
    string("MaintNotifDetectionCode", 4, upper=True),
    string("MaintNotifDetectionCodeText", 40, READ_ONLY),
    string("MaintNotifDetectionCodeGroup", 8, upper=True),
    string("MaintNotifDetectionCodeGrpTxt", 40, READ_ONLY),
    string("MaintNotifProcessPhaseCode", 2, READ_ONLY, upper=True),
    string("MaintNotifProcessSubPhaseCode", 4, READ_ONLY, upper=True),
    string("EAMProcessPhaseCodeDesc", 60, READ_ONLY),
    string("EAMProcessSubPhaseCodeDesc", 40, READ_ONLY),
    timestamp("CreationDateTime", READ_ONLY),
    timestamp("MalfunctionStartDateTime", READ_ONLY),
    timestamp("MalfunctionEndDateTime", READ_ONLY),
    timestamp("NotificationCreationDateTime", READ_ONLY),
    timestamp("MaintNotifRqdStartDateTime", READ_ONLY),
    timestamp("MaintNotifRqdEndDateTime"),
    date("PreviousFinalDueDate", READ_ONLY),
    date("OriglLtstAccptblCompletionDate", READ_ONLY),
    string("MaintenanceRevision", 8, upper=True),
    string("CreatedByUser", 12, READ_ONLY, upper=True),
    string("ZZ1_work_test_NTF", 20),
)

_EFFECT_PROPERTIES = (
    string("MaintenanceNotification", 12, CREATE_ONLY, nullable=False, upper=True),
    string("MaintenanceNotificationEffect", 4, CREATE_ONLY, nullable=False),
    string("MaintNotifEffectCatalog", 1, READ_ONLY, upper=True),
    string("MaintNotifEffectCodeGroup", 8, upper=True),
    string("MaintNotifEffectCode", 4, upper=True),
    string("CreatedByUser", 12, READ_ONLY, upper=True),
    timestamp("CreationDateTime", READ_ONLY),
    string("LastChangedByUser", 12, READ_ONLY, upper=True),
    timestamp("LastChangeDateTime", READ_ONLY),
    string("MaintNotifEffectCodeGrpText", 40, READ_ONLY),
    string("MaintNotifEffectCtlgCodeText", 40, READ_ONLY),
)

_ITEM_PROPERTIES = (
    string("MaintenanceNotification", 12, CREATE_ONLY, nullable=False, upper=True),
    string("MaintenanceNotificationItem", 4, CREATE_ONLY, nullable=False),
    string("MaintNotifItemText", 40),
    string("MaintNotifDamageCodeGroup", 8, upper=True),
    string("MaintNotifDamageCodeGroupName", 40, READ_ONLY),
    string("MaintNotificationDamageCode", 4, upper=True),
    string("MaintNotifDamageCodeName", 40, READ_ONLY),
    string("MaintNotifObjPrtCodeGroup", 8, upper=True),
    string("MaintNotifObjPrtCodeGroupName", 40, READ_ONLY),
    string("MaintNotifObjPrtCode", 4, upper=True),
    string("MaintNotifObjPrtCodeName", 40, READ_ONLY),
    boolean("IsDeleted", READ_ONLY),
    timestamp("MaintNotifItemChangedDateTime", READ_ONLY),
    timestamp("MaintNotifItemCreationDateTime", READ_ONLY),
)

_PARTNER_PROPERTIES = (
    string("MaintenanceNotification", 12, CREATE_ONLY, nullable=False, upper=True),
    string("PartnerFunction", 2, CREATE_ONLY, nullable=False, upper=True),
    string("NotificationPartnerObjectNmbr", 6, CREATE_ONLY, nullable=False),
    string("Partner", 12, nullable=False, upper=True),
)

_ACTIVITY_PROPERTIES = (
    string("MaintNotificationActivity", 4, CREATE_ONLY, nullable=False),
    string("MaintenanceNotification", 12, CREATE_ONLY, nullable=False, upper=True),
    string("MaintenanceNotificationItem", 4, CREATE_ONLY, nullable=False),
    string("MaintNotifActivitySortNumber", 4),
    string("MaintNotifActyTxt", 40),
    string("MaintNotifActivityCodeGroup", 8, upper=True),
    string("NotifActivityCodeGroupText", 40, READ_ONLY),
    string("MaintNotificationActivityCode", 4, upper=True),
    string("NotifActivityCodeText", 40, READ_ONLY),
    date("PlannedStartDate"),
    time("PlannedStartTime"),
    date("PlannedEndDate"),
    time("PlannedEndTime"),
    boolean("IsDeleted", READ_ONLY),
    timestamp("MaintNotifItmActyStrtDateTime", READ_ONLY),
    timestamp("MaintNotifItemActyEndDateTime", READ_ONLY),
    timestamp("MaintNotifItemActyCrtnDateTime", READ_ONLY),
    timestamp("MaintNotifItemActyChgdDateTime", READ_ONLY),
)

_CAUSE_PROPERTIES = (
    string("MaintenanceNotification", 12, CREATE_ONLY, nullable=False, upper=True),
    string("MaintenanceNotificationItem", 4, CREATE_ONLY, nullable=False),
    string("MaintenanceNotificationCause", 4, CREATE_ONLY, nullable=False),
    string("MaintNotifCauseText", 40),
    string("MaintNotifCauseCodeGroup", 8, upper=True),
    string("MaintNotifCauseCodeGroupName", 40, READ_ONLY),
    string("MaintNotificationCauseCode", 4, upper=True),
    string("MaintNotificationCauseCodeName", 40, READ_ONLY),
    string("MaintNotificationRootCause", 1, upper=True),
    string("MaintNotificationRootCauseText", 60, READ_ONLY),
    boolean("IsDeleted", READ_ONLY),
    timestamp("MaintNotifItmCauseChgdDateTime", READ_ONLY),
    timestamp("MaintNotifItmCauseCrtnDateTime", READ_ONLY),
)

ASSOCIATIONS = (
    Association("assoc_Notification_Item", NOTIFICATION_SET, ITEM_SET, (NOTIFICATION_SET,)),
    Association("assoc_Notification_Partner", NOTIFICATION_SET, PARTNER_SET, (NOTIFICATION_SET,)),
    Association(
        "assoc_Notification_Effect",
        NOTIFICATION_SET,
        EFFECT_SET,
        (NOTIFICATION_SET,),
        dependent_many=False,
    ),
    Association(
        "assoc_Item_Cause", ITEM_SET, CAUSE_SET, (NOTIFICATION_SET, "MaintenanceNotificationItem")
    ),
    Association(
        "assoc_Item_Activity",
        ITEM_SET,
        ACTIVITY_SET,
        (NOTIFICATION_SET, "MaintenanceNotificationItem"),
    ),
    Association("assoc_Notification_Cause", NOTIFICATION_SET, CAUSE_SET, (NOTIFICATION_SET,)),
    Association("assoc_Notification_Activity", NOTIFICATION_SET, ACTIVITY_SET, (NOTIFICATION_SET,)),
)

HEADER = EntityType(
    "MaintenanceNotificationType",
    NOTIFICATION_SET,
    ("MaintenanceNotification",),
    _HEADER_PROPERTIES,
    (
        NavigationProperty("to_FailureEffect", "assoc_Notification_Effect"),
        NavigationProperty("to_Item", "assoc_Notification_Item"),
        NavigationProperty("to_Partner", "assoc_Notification_Partner"),
    ),
    etag_property="LastChangeDateTime",
    required_on_create=("NotificationText",),
    # The long texts allow only search expressions, which the emulator does not support.
    non_filterable=frozenset(
        {
            "PersonResponsibleName",
            "ConcatenatedActiveSystStsName",
            "MaintNotificationLongText",
            "MaintRequestEditableLongText",
        }
    ),
    non_sortable=frozenset(
        {
            "PersonResponsibleName",
            "ConcatenatedActiveSystStsName",
            "MaintNotificationLongText",
            "MaintRequestEditableLongText",
        }
    ),
)
ITEM = EntityType(
    "MaintenanceNotificationItemType",
    ITEM_SET,
    ("MaintenanceNotification", "MaintenanceNotificationItem"),
    _ITEM_PROPERTIES,
    (
        NavigationProperty("to_Notif", "assoc_Notification_Item", forward=False),
        NavigationProperty("to_ItemActivity", "assoc_Item_Activity"),
        NavigationProperty("to_ItemCause", "assoc_Item_Cause"),
    ),
)
CAUSE = EntityType(
    "MaintNotificationItemCauseType",
    CAUSE_SET,
    ("MaintenanceNotification", "MaintenanceNotificationItem", "MaintenanceNotificationCause"),
    _CAUSE_PROPERTIES,
    (
        NavigationProperty("to_Item", "assoc_Item_Cause", forward=False),
        NavigationProperty("to_Notif", "assoc_Notification_Cause", forward=False),
    ),
)
ACTIVITY = EntityType(
    "MaintNotificationItemActivityType",
    ACTIVITY_SET,
    ("MaintNotificationActivity", "MaintenanceNotification", "MaintenanceNotificationItem"),
    _ACTIVITY_PROPERTIES,
    (
        NavigationProperty("to_Item", "assoc_Item_Activity", forward=False),
        NavigationProperty("to_Notif", "assoc_Notification_Activity", forward=False),
    ),
)
PARTNER = EntityType(
    "MaintenanceNotificationPartnerType",
    PARTNER_SET,
    ("MaintenanceNotification", "PartnerFunction", "NotificationPartnerObjectNmbr"),
    _PARTNER_PROPERTIES,
    (NavigationProperty("to_Notif", "assoc_Notification_Partner", forward=False),),
    required_on_create=("Partner",),
)
EFFECT = EntityType(
    "MaintNotifEffectCode_Type",
    EFFECT_SET,
    ("MaintenanceNotification", "MaintenanceNotificationEffect"),
    _EFFECT_PROPERTIES,
    (NavigationProperty("to_Notif", "assoc_Notification_Effect", forward=False),),
    deletable=True,
)


def _notification_parameter() -> Property:
    return string("MaintenanceNotification", 12, nullable=False)


FUNCTION_IMPORTS = (
    FunctionImport(
        "CompleteMaintNotification",
        HEADER.name,
        NOTIFICATION_SET,
        "POST",
        (
            _notification_parameter(),
            Property("MaintNotifReferenceDateTime", DATETIMEOFFSET),
            Property("NotificationReferenceDate", DATETIME, date_only=True),
            Property("NotificationReferenceTime", TIME),
        ),
        action_for=HEADER.name,
    ),
    FunctionImport(
        "SetMaintNotifToInProcess",
        HEADER.name,
        NOTIFICATION_SET,
        "POST",
        (_notification_parameter(),),
        action_for=HEADER.name,
    ),
)

SCHEMA = Schema(
    NAMESPACE,
    CONTAINER,
    (HEADER, ITEM, CAUSE, ACTIVITY, PARTNER, EFFECT),
    ASSOCIATIONS,
    FUNCTION_IMPORTS,
)
