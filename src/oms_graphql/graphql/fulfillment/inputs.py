from __future__ import annotations

import strawberry

from oms_graphql.graphql.common import MailingAddressInput, address_input
from oms_graphql.graphql.orders.enums import DeliveryMethodType
from oms_graphql.ids import decode_gid
from oms_graphql.orders import inputs


@strawberry.input(description="One rule, in the place it should apply.")
class RoutingRuleInput:
    type: str = strawberry.field(
        description=(
            "The rule type: PICKUP_LOCATION, EXCLUDE_UNAVAILABLE, CAPACITY, MINIMIZE_SPLITS, "
            "CLOSEST, RANKED, SAME_COUNTRY or BALANCE_STOCK (an unknown one is a userError)."
        )
    )
    enabled: bool = strawberry.field(default=True, description="Whether it applies.")


@strawberry.input(description="A line of a hypothetical order.")
class RoutingPreviewLineItemInput:
    sku: str = strawberry.field(description="The SKU of an inventory item.")
    quantity: int = strawberry.field(description="How many units (1 or more).")


@strawberry.input(description="A hypothetical order to route, as orderCreate would.")
class RoutingPreviewInput:
    channel: str = strawberry.field(description="Handle of the channel it would come from.")
    line_items: list[RoutingPreviewLineItemInput] = strawberry.field(
        description="What would be ordered (1 to 250 lines)."
    )
    shipping_address: MailingAddressInput | None = strawberry.field(
        default=None, description="Where it would ship; required unless picked up."
    )
    delivery_method: DeliveryMethodType = strawberry.field(
        default=DeliveryMethodType.SHIPPING, description="How the buyer would get the goods."
    )
    pickup_location_id: strawberry.ID | None = strawberry.field(
        default=None, description="Where a PICKUP order would be collected."
    )

    def to_service(self) -> inputs.NewOrder:
        return inputs.NewOrder(
            channel=self.channel,
            lines=[inputs.NewLine(line.sku, line.quantity) for line in self.line_items],
            shipping_address=(
                address_input(self.shipping_address) if self.shipping_address else None
            ),
            delivery_method=self.delivery_method,
            pickup_location_id=(
                decode_gid(self.pickup_location_id, expected="Location").pk
                if self.pickup_location_id
                else None
            ),
        )
