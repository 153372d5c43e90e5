"""A Number field's precision and scale bound what it stores: a value is
rounded to the scale, and one whose integer part has more digits than
precision minus scale allows is refused as a real org refuses it."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from syncd.sandbox.salesforce import SalesforceSandbox
from tests.kit.salesforce import SalesforceClient, errors_of, grant
from tests.sandbox.salesforce.test_sf_sandbox_writes import leads

PROBABILITY = {
    "FullName": "Lead.Syncd_Conversion_Probability__c",
    "Metadata": {
        "type": "Number",
        "precision": 4,
        "scale": 3,
        "label": "Syncd Conversion Probability",
    },
}


def test_a_number_outside_precision_is_refused(
    app: SalesforceSandbox, sf: SalesforceClient
) -> None:
    (lead,) = leads(app, 1)
    sf.toolingexecute("sobjects/CustomField", method="POST", data=PROBABILITY)
    grant(app, sf, "Lead.Syncd_Conversion_Probability__c", edit=True)
    assert sf.Lead.update(lead, {"Syncd_Conversion_Probability__c": 0.23456}) == 204
    assert sf.Lead.get(lead)["Syncd_Conversion_Probability__c"] == 0.235
    assert sf.Lead.update(lead, {"Syncd_Conversion_Probability__c": 9.9994}) == 204
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.Lead.update(lead, {"Syncd_Conversion_Probability__c": 12.5})
    (error,) = errors_of(info.value)
    assert error["errorCode"] == "NUMBER_OUTSIDE_VALID_RANGE"
    assert error["fields"] == ["Syncd_Conversion_Probability__c"]
