using LgspHub.Gateway.Access;
using LgspHub.Gateway.Proxy;

namespace LgspHub.Gateway;

/// <summary>
/// The same gateway with its checks off: the same routes and proxy, but no tokens, rights, rate
/// limits, transaction records or tracing. Run with Lgsp:Checks=false, only as the benchmark's
/// baseline (./lgsp bench gateway), to measure what the checks cost.
/// </summary>
public static class Baseline
{
    public static void Run(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // As in the full gateway (ServiceDefaults): appsettings.json's Information default would otherwise
        // log two lines per proxied request here, a cost the full gateway does not pay.
        builder.Logging.AddFilter("Yarp.ReverseProxy.Forwarder", LogLevel.Warning);
        // The agencies answer the gateway only: the baseline presents their credentials as the full gateway does.
        var proxyConfig = builder.Configuration.GetSection("ReverseProxy");
        builder.Services.AddReverseProxy().LoadFromConfig(proxyConfig).AddAgencies(proxyConfig).AddAgencyCredentials();
        // The routes name the rights policy; here it lets everything through.
        builder.Services.AddAuthorizationBuilder().AddPolicy(Requests.Operation.RightsPolicy, policy => policy.RequireAssertion(_ => true));

        var app = builder.Build();
        app.UseAuthorization();
        app.MapReverseProxy();
        app.Run();
    }
}
