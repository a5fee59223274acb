echo "from b"
