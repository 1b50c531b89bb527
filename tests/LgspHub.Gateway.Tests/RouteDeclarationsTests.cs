using LgspHub.Gateway.Requests;
using Yarp.ReverseProxy.Configuration;

namespace LgspHub.Gateway.Tests;

public class RouteDeclarationsTests
{
    [Theory]
    [InlineData("true")]
    [InlineData("True")]
    [InlineData("TRUE")]
    [InlineData(" true ")]
    public void A_personal_data_flag_in_any_case_keeps_the_purpose_check_and_the_audit(string flag)
    {
        var operation = Operation.From(new Dictionary<string, string> { ["Operation"] = "land.read-parcel", ["PersonalData"] = flag });

        Assert.True(operation?.PersonalData);
    }

    [Fact]
    public void Metadata_names_are_read_ignoring_case()
    {
        var operation = Operation.From(new Dictionary<string, string>(StringComparer.Ordinal) { ["operation"] = "land.read-parcel", ["personaldata"] = "true" });

        Assert.Equal("land.read-parcel", operation?.Name);
        Assert.True(operation?.PersonalData);
    }

    [Theory]
    [InlineData(null, "land.read-parcel", "true")]
    [InlineData("default", "land.read-parcel", "true")]
    [InlineData("lgsp-rights", null, "true")]
    [InlineData("lgsp-rights", "land.read-parcel", "yes")]
    [InlineData("anonymous", "land.read-parcel", "true")]
    public async Task A_route_without_a_valid_access_declaration_is_refused_at_every_load(string? policy, string? operation, string personalData)
    {
        var metadata = new Dictionary<string, string> { ["PersonalData"] = personalData };
        if (operation is not null)
            metadata["Operation"] = operation;
        var route = new RouteConfig { RouteId = "r", ClusterId = "land", AuthorizationPolicy = policy, Match = new RouteMatch { Path = "/x" }, Metadata = metadata };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await new RouteDeclarations().ConfigureRouteAsync(route, null, default));
        Assert.Contains("\"r\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lgsp-rights", "land.read-parcel")]
    [InlineData("LGSP-RIGHTS", "land.read-parcel")]
    [InlineData("anonymous", null)]
    public async Task A_declared_route_passes(string policy, string? operation)
    {
        var route = new RouteConfig
        {
            RouteId = "r", ClusterId = "land", AuthorizationPolicy = policy, Match = new RouteMatch { Path = "/x" },
            Metadata = operation is null ? null : new Dictionary<string, string> { ["Operation"] = operation },
        };

        Assert.Same(route, await new RouteDeclarations().ConfigureRouteAsync(route, null, default));
    }
}
