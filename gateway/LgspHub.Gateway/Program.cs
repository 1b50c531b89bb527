using LgspHub.Gateway.Access;
using LgspHub.Gateway.Operations;
using LgspHub.Gateway.Proxy;
using LgspHub.Gateway.Requests;
using LgspHub.Gateway.Transactions;
using LgspHub.Gateway;
using LgspHub.ServiceDefaults;

if (await GatewayCommands.RunAsync(args) is { } exitCode)
    return exitCode;

if (args.Contains("--Lgsp:Checks=false") || Environment.GetEnvironmentVariable("Lgsp__Checks") == "false")
{
    LgspHub.Gateway.Baseline.Run(args);
    return 0;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddTransactionRecords();
builder.AddLgspAccess();
builder.AddOps();
builder.AddCombinedOpenApi();
var proxyConfig = builder.Configuration.GetSection("ReverseProxy");
builder.Services.AddReverseProxy().LoadFromConfig(proxyConfig).AddAgencies(proxyConfig).AddConfigFilter<RouteDeclarations>().AddLgspTransforms().AddBulkhead(builder.Configuration);

var app = builder.Build();
app.UseTransactionRecords();
app.MapDefaultEndpoints();
app.UseLgspAccess();
app.MapTokenEndpoint();
app.MapRecordsApi();
app.MapConsumersApi();
app.MapCatalog();
app.MapCombinedOpenApi();
app.MapApiReference();
app.MapOpsApi();
app.MapTraceCollector();
app.MapReverseProxy(proxy =>
{
    proxy.Use(PersonalDataPurpose.RequireAsync);
    proxy.Use(EveryInstance.ForwardAsync);
    proxy.Use(Failover.RetryElsewhereAsync);
    proxy.UseSessionAffinity();
    proxy.UseLoadBalancing();
    proxy.UseBulkhead();
    proxy.UsePassiveHealthChecks();
});
app.Run();
return 0;
