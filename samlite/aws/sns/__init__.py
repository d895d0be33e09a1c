"""The local SNS: topics and subscriptions behind moto's SNS wire protocol, with deliveries
handed to samlite's sources (sources/sns/) instead of moto's own."""
