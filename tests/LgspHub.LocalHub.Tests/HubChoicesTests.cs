namespace LgspHub.LocalHub.Tests;

/// <summary>The rules ./lgsp up and the AppHost both check a run's settings by.</summary>
public sealed class HubChoicesTests
{
    [Theory]
    [InlineData("1", 1)]
    [InlineData("4", 4)]
    [InlineData("0", null)]
    [InlineData("5", null)]
    [InlineData("+2", null)]
    [InlineData(" 2", null)]
    [InlineData("02", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void An_instance_count_is_one_digit_from_1_to_4(string? value, int? count) =>
        Assert.Equal(count, HubChoices.InstanceCount(value));

    [Theory]
    [InlineData("http://127.0.0.1:7000", "http://127.0.0.1:7000")]
    [InlineData("https://land.example:8443/", "https://land.example:8443")]
    [InlineData("127.0.0.1:7000", null)]
    [InlineData("http://127.0.0.1:7000/api", null)]
    [InlineData("http://127.0.0.1:7000/?x=1", null)]
    [InlineData("ftp://127.0.0.1:7000", null)]
    [InlineData("", null)]
    public void A_system_of_one_s_own_is_named_by_its_base_url(string value, string? baseUrl) =>
        Assert.Equal(baseUrl, HubChoices.SystemBaseUrl(value));

    [Fact]
    public void Only_the_hub_s_agencies_are_agencies()
    {
        Assert.Null(HubChoices.NotAnAgency("land"));
        Assert.StartsWith("'gateway' is not an agency (population, ", HubChoices.NotAnAgency("gateway"));
    }
}
