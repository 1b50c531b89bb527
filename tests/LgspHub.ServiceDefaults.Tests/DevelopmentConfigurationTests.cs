using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace LgspHub.ServiceDefaults.Tests;

/// <summary>Development secrets stay in development: outside it a host that finds one refuses to start.</summary>
public sealed class DevelopmentConfigurationTests : IDisposable
{
    private readonly string _contentRoot = Directory.CreateTempSubdirectory("lgsp-dev-config-").FullName;

    public DevelopmentConfigurationTests() =>
        File.WriteAllText(Path.Combine(_contentRoot, DevelopmentConfiguration.FileName), """
            {
              "Seed": { "Citizens": 5000 },
              "Lgsp": {
                "Access": { "GatewayKey": "land-dev-gateway-key" },
                "Consumers": { "hospital": { "SecretHash": "AQAAAAIAAYagAAAAEIt7", "DisplayName": "Hospital" } }
              }
            }
            """);

    [Fact]
    public void A_production_host_with_a_development_secret_anywhere_in_its_configuration_refuses_to_start_naming_the_key_only()
    {
        var builder = Builder(Environments.Production);
        builder.Configuration["Lgsp:Access:GatewayKey"] = "land-dev-gateway-key";
        builder.Configuration["Lgsp:Consumers:copied:SecretHash"] = "AQAAAAIAAYagAAAAEIt7";

        var refused = Assert.Throws<InvalidOperationException>(() => builder.RefuseDevelopmentSecrets());

        Assert.Contains("Lgsp:Access:GatewayKey", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Lgsp:Consumers:copied:SecretHash", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("land-dev-gateway-key", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_of_its_own_and_values_that_are_no_secrets_pass()
    {
        var builder = Builder(Environments.Production);
        builder.Configuration["Lgsp:Access:GatewayKey"] = "a-key-of-its-own";
        builder.Configuration["Seed:Citizens"] = "5000";
        builder.Configuration["Lgsp:Consumers:hospital:DisplayName"] = "Hospital";

        builder.RefuseDevelopmentSecrets();
    }

    [Fact]
    public void Development_runs_with_the_development_secrets()
    {
        var builder = Builder(Environments.Development);

        Assert.Equal("land-dev-gateway-key", builder.Configuration["Lgsp:Access:GatewayKey"]);
        builder.RefuseDevelopmentSecrets();
    }

    [Fact]
    public void A_required_setting_missing_outside_development_stops_the_host_and_says_why()
    {
        var refused = Assert.Throws<InvalidOperationException>(() =>
            Builder(Environments.Production).RequireOutsideDevelopment(("Lgsp:Records:SubjectKey", "the audit's key")));
        Builder(Environments.Development).RequireOutsideDevelopment(("Lgsp:Records:SubjectKey", "the audit's key"));

        Assert.Contains("Lgsp:Records:SubjectKey (the audit's key)", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Lgsp:Records:SubjectKey", true)]
    [InlineData("Lgsp:AgencyCredentials:GatewayKeys:land", true)]
    [InlineData("Lgsp:Consumers:x:SecretHash", true)]
    [InlineData("Lgsp:ClientSecret", true)]
    [InlineData("RabbitMq:Password", true)]
    [InlineData("Lgsp:ClientId", false)]
    [InlineData("Lgsp:Faults:AllowRequestHeader", false)]
    public void Secrets_are_known_by_their_names(string key, bool secret)
    {
        Assert.Equal(secret, DevelopmentConfiguration.IsSecret(key));
    }

    private WebApplicationBuilder Builder(string environment) =>
        WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment, ContentRootPath = _contentRoot });

    public void Dispose() => Directory.Delete(_contentRoot, recursive: true);
}
