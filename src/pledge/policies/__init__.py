"""Policy files bundled with Pledge: the policy of the seed document."""
