<?php
// php_soap_client.php MANIFEST.json: PHP's own SoapClient (ext-soap) against the sandbox.
//
// The manifest names a WSDL URL and a list of calls: {"op", "version" ("1.1" or "1.2"),
// "location" (the port's address), "envelope"}. For each call, SoapClient loads the WSDL, works
// out the SOAPAction and Content-Type of the operation from it as it does for any call, sends
// the given envelope (one that zeep built from the operation's schema and that the sandbox
// accepted) to the port's address, and parses the reply by the WSDL. Prints one JSON object:
// {"load_error": null|string, "results": [{"op", "version", "ok", "error"}]}.

$manifest = json_decode(file_get_contents($argv[1]), true);

// SoapClient builds its own request from the arguments; the envelope of the manifest is sent
// in its place, with the headers SoapClient chose.
class ReplayClient extends SoapClient
{
    public string $envelope = '';

    // `...$rest`: newer PHP versions may add optional parameters to the parent's signature.
    public function __doRequest($request, $location, $action, $version, $oneWay = false, ...$rest): ?string
    {
        return parent::__doRequest($this->envelope, $location, $action, $version, $oneWay, ...$rest);
    }
}

$out = ['load_error' => null, 'results' => []];
$clients = [];
foreach ($manifest['calls'] as $call) {
    $version = $call['version'] === '1.2' ? SOAP_1_2 : SOAP_1_1;
    $result = ['op' => $call['op'], 'version' => $call['version'], 'ok' => false, 'error' => null];
    try {
        $key = $version . ' ' . $call['location'];
        if (!isset($clients[$key])) {
            // SoapClient sends every call to the first port that has the operation, whatever
            // the SOAP version: the port's own address is given, as a PHP user does.
            $clients[$key] = new ReplayClient($manifest['wsdl'], [
                'soap_version' => $version,
                'location' => $call['location'],
                'cache_wsdl' => WSDL_CACHE_NONE,
                'exceptions' => true,
                'trace' => true,
            ]);
        }
    } catch (Throwable $e) {
        $out['load_error'] = $e->getMessage();
        break;
    }
    $client = $clients[$key];
    $client->envelope = $call['envelope'];
    try {
        // Any argument will do: the request SoapClient builds from it is not sent.
        $client->__soapCall($call['op'], [new SoapVar('<unused/>', XSD_ANYXML)]);
        $result['ok'] = true;
    } catch (SoapFault $f) {
        $reply = (string) $client->__getLastResponse();
        $result['error'] = "SoapFault {$f->faultcode}: {$f->getMessage()}; reply: " . substr($reply, 0, 400);
    } catch (Throwable $e) {
        $result['error'] = get_class($e) . ': ' . $e->getMessage();
    }
    $out['results'][] = $result;
}
echo json_encode($out), "\n";
